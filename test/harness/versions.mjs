// Pinned versions of the pieces the VS Code test tiers run on (see test/harness/setup.mjs).
export const NODE_VERSION = '24.21.0'; // code-server 4.139 refuses any other Node major
export const CODE_SERVER_VERSION = '4.139.1';
