import { create, toBinary } from '@bufbuild/protobuf';
import { internalError } from '../../../model/errors.js';
import { decodeBody } from '../../../protocol/body-codec.js';
import {
  SubscribeCapitalFlowRequestSchema,
  SubscribeCapitalFlowResponseSchema,
  UnsubscribeCapitalFlowRequestSchema,
  UnsubscribeCapitalFlowResponseSchema,
} from '../../../protocol/gen/capflow_pb.js';
import type { CommandHandler, RequestContext } from '../quote/command-handler.js';
import { toWireUpdate, type LiveFlowHub } from './live-flow-hub.js';

function connectionOf(context: RequestContext) {
  if (!context.connection) throw internalError('subscriptions need the caller connection');
  return context.connection;
}

/** Command 200: subscribe to a symbol's capital flow; answers with the current lines. */
export function subscribeCapitalFlowHandler(hub: LiveFlowHub): CommandHandler {
  return async (body, context) => {
    const request = decodeBody(SubscribeCapitalFlowRequestSchema, body);
    const result = await hub.subscribeConnection(connectionOf(context), context.credential, request.symbol);
    return toBinary(
      SubscribeCapitalFlowResponseSchema,
      create(SubscribeCapitalFlowResponseSchema, {
        current: toWireUpdate(result.current),
        subscriptions: result.subscriptions,
        subscribeLimit: result.subscribeLimit,
      }),
    );
  };
}

/** Command 201: end a subscription of this connection. */
export function unsubscribeCapitalFlowHandler(hub: LiveFlowHub): CommandHandler {
  return (body, context) => {
    const request = decodeBody(UnsubscribeCapitalFlowRequestSchema, body);
    const result = hub.unsubscribeConnection(connectionOf(context), context.credential, request.symbol);
    return toBinary(UnsubscribeCapitalFlowResponseSchema, create(UnsubscribeCapitalFlowResponseSchema, result));
  };
}
