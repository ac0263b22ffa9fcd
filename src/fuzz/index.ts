/**
 * httpwire/fuzz — the public fuzzing kit: fast-check arbitraries over an
 * HTTP/1.1 message model, its serializer, splits, named smuggling
 * mutations and an oracle from the llhttp bundled in Node. Needs
 * fast-check (an optional peer dependency); importing without it throws an
 * error that says what to install.
 */
export {
  type MessageOptions,
  requestArbitrary,
  responseArbitrary,
  type ResponseOptions,
  sampleArbitrary,
} from './arbitraries.js';
export { fieldArbitrary } from './fields.js';
export {
  type Body,
  type Chunk,
  expectedMessage,
  expectedResult,
  type Field,
  messageBytes,
  type MessageModel,
  messageText,
  type Sample,
  type StartLine,
} from './model.js';
export { splitAt, splitsArbitrary } from './splits.js';
export {
  applyMutation,
  type Edit,
  mutateBytes,
  type Mutation,
  mutationArbitrary,
  smugglingMutations,
  type Trick,
} from './mutations.js';
export { HIDDEN_ERROR_CODE, llhttpOracle, type OracleOptions } from './llhttp-oracle.js';
export {
  type ComparableMessage,
  type ComparableResult,
  comparableResult,
  differenceKind,
  withKnownErrorCode,
} from './compare.js';
export { minimizeInput } from './minimize.js';
export { latin1Bytes, latin1Text } from './latin1.js';
export { latin1Data } from './charsets.js';
