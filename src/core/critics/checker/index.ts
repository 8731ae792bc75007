export { CheckerCritic, createChecker } from './critic';
export { checkStep } from './bounded';
export type { CheckOptions } from './check-step';
export { CHECK_LIMITS } from './limits';
export type { ClaimCheck, StepCheck } from './types';
export type { Match } from './compare';
