// The browser entry of @rxrnn/ws (`@rxrnn/ws/browser`): the client and the protocol codec, without the server.
export { connect, RemoteError } from './client.js';
export type { Connection, ConnectOptions, RemoteStream, StreamInput } from './client.js';
export { PROTOCOL, PROTOCOL_VERSION, WsErrorCodes, CloseCodes } from './protocol.js';
export { FrameType, FRAME_HEADER_BYTES, encodeInputFrame, decodeFrame } from './frames.js';
export type { WsErrorCode, StreamOptions, ServerMessage, OutputMessage, ModelInfo } from './protocol.js';
