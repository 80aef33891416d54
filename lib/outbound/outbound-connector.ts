import http from "node:http";
import https from "node:https";
import type net from "node:net";
import { buildConnector } from "undici";
import { assertLiteralAllowed, outboundLookup } from "@/lib/outbound/resolve-allowed";

// Where the outbound policy is enforced: when a socket is opened. Names are
// resolved through outboundLookup (only allowed addresses come back, and the
// socket connects to one of exactly those); IP literals, which Node connects
// to without a lookup, are checked here first. Anything that opens a
// connection on a tenant's behalf uses one of these, never a bare Agent.

/** An undici connector (Agent/Pool `connect` option) that applies the outbound policy. */
export function createOutboundConnector(options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: outboundLookup } as buildConnector.BuildOptions);
  return (opts, callback) => {
    try {
      assertLiteralAllowed(opts.hostname);
    } catch (err) {
      // undici expects the callback, never a throw, and never synchronously inside connect().
      queueMicrotask(() => callback(err as Error, null));
      return;
    }
    connect(opts, callback);
  };
}

type AgentCallback = (err: Error | null, socket?: net.Socket) => void;

function checked<T extends http.Agent>(agent: T): T {
  const create = agent.createConnection.bind(agent) as (options: http.ClientRequestArgs, callback?: AgentCallback) => net.Socket | undefined;
  agent.createConnection = ((options: http.ClientRequestArgs, callback?: AgentCallback) => {
    try {
      assertLiteralAllowed(String(options.host ?? options.hostname ?? ""));
    } catch (err) {
      // The request fails with the refusal (its "error" event), it does not throw.
      if (!callback) throw err;
      process.nextTick(callback, err as Error);
      return undefined;
    }
    return create(options, callback);
  }) as T["createConnection"];
  return agent;
}

/** A node:http Agent with the outbound policy (for libraries that take one, e.g. the AWS SDK). */
export function outboundHttpAgent(options: http.AgentOptions = {}): http.Agent {
  return checked(new http.Agent({ ...options, lookup: outboundLookup } as http.AgentOptions));
}

/** A node:https Agent with the outbound policy. */
export function outboundHttpsAgent(options: https.AgentOptions = {}): https.Agent {
  return checked(new https.Agent({ ...options, lookup: outboundLookup } as https.AgentOptions));
}
