// Preloaded (node --import) into the portal and the proxy when `pullgate start`
// runs them. The supervisor hands each child the read end of a pipe as the
// descriptor named by PULLGATE_PARENT_PIPE_FD; the write end lives only in the
// supervisor, so the pipe reaches end-of-file exactly when the supervisor
// dies, however it dies (kill -9 included). The child then stops itself the
// graceful way (SIGTERM: drain, write pull events), instead of living on as
// an orphan holding the ports and the data directory.
import net from "node:net";

const fd = Number(process.env.PULLGATE_PARENT_PIPE_FD);
// Not inherited by anything this process starts: the descriptor is ours alone.
delete process.env.PULLGATE_PARENT_PIPE_FD;
if (Number.isInteger(fd) && fd > 2) {
  try {
    const pipe = new net.Socket({ fd, readable: true, writable: false });
    pipe.on("error", () => {});
    pipe.on("close", () => process.kill(process.pid, "SIGTERM"));
    pipe.resume();
    // Never what keeps the process alive.
    pipe.unref();
  } catch {
    // No such descriptor: started by hand with the variable set; nothing to watch.
  }
}
