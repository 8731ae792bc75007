export { CheckerCritic, createChecker } from './critic';
export { checkStep } from './check-step';
export type { CheckOptions } from './check-step';
export type { ClaimCheck, StepCheck } from './types';
export type { Match } from './compare';
