export { PROTOCOL, PROTOCOL_VERSION, WsErrorCodes, CloseCodes, FrameType, FRAME_HEADER_BYTES, wsError, encodeInputFrame, encodeOutputFrame, decodeFrame, parseClientMessage, errorMessage } from './protocol.js';
export type { WsErrorCode, StreamOptions, ClientMessage, ServerMessage, OutputMessage, ModelInfo } from './protocol.js';
export { DEFAULT_SERVER_OPTIONS, resolveServerOptions } from './options.js';
export type { ServerOptions, ServerLimits } from './options.js';
export { Metrics, Histogram } from './metrics.js';
export { createStreamServer } from './server.js';
export type { StreamServer, HostedModel } from './server.js';
export { connect, RemoteError } from './client.js';
export type { Connection, ConnectOptions, RemoteStream, StreamInput } from './client.js';
