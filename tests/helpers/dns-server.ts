import dns2 from "dns2";

// A real DNS server on loopback for domain-verification tests: the zone is a
// mutable map the test edits between checks. Unknown names answer NXDOMAIN;
// known names without the asked type answer NOERROR with no records; a name
// with `rcode` answers that failure instead (a resolver that is broken for it).

export type TestZone = Map<string, { txt?: string[][]; cname?: string; a?: string[]; aaaa?: string[]; rcode?: "SERVFAIL" | "REFUSED" }>;

export type TestDnsServer = {
  /** `127.0.0.1:<port>`, the form PULLGATE_DNS_SERVERS takes. */
  address: string;
  zone: TestZone;
  queries: number;
  close(): Promise<void>;
};

/** Listens on 127.0.0.1:`port` (0 = any free port; the e2e suite needs a fixed one). */
export async function startDnsServer(port = 0): Promise<TestDnsServer> {
  const { Packet } = dns2;
  const zone: TestZone = new Map();
  const state = { queries: 0 };
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      state.queries++;
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const name = (question?.name ?? "").toLowerCase().replace(/\.$/, "");
      const records = zone.get(name);
      if (!question || !records) {
        response.header.rcode = Packet.RCODE.NXDOMAIN;
        return void send(response);
      }
      if (records.rcode) {
        response.header.rcode = Packet.RCODE[records.rcode];
        return void send(response);
      }
      const base = { name: question.name, class: Packet.CLASS.IN, ttl: 1 };
      // dns2's Resource type insists on a toBuffer method that plain records (which it encodes fine) lack.
      const answer = (record: object) => response.answers.push(record as (typeof response.answers)[number]);
      if (records.cname) answer({ ...base, type: Packet.TYPE.CNAME, domain: records.cname });
      if (question.type === Packet.TYPE.TXT) {
        for (const data of records.txt ?? []) answer({ ...base, type: Packet.TYPE.TXT, data });
      }
      if (question.type === Packet.TYPE.A) {
        for (const address of records.a ?? []) answer({ ...base, type: Packet.TYPE.A, address });
      }
      if (question.type === Packet.TYPE.AAAA) {
        for (const address of records.aaaa ?? []) answer({ ...base, type: Packet.TYPE.AAAA, address });
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port, address: "127.0.0.1" } });
  const bound = addresses.udp?.port;
  if (!bound) throw new Error("DNS test server did not report its port");
  return {
    address: `127.0.0.1:${bound}`,
    zone,
    get queries() {
      return state.queries;
    },
    close: () => server.close(),
  };
}
