// HTTP/1.1 keep-alive load with a monotonic timestamp per request: the client that checked wrk's manifest
// p99 (bench/notes/manifest-tail.md). Not built by the bench; to repeat the check:
//   gcc -O2 -o /tmp/keepalive-latency bench/tools/keepalive-latency.c
//   printf 'GET /v2/... HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAuthorization: Basic ...\r\n\r\n' > /tmp/req
//   /tmp/keepalive-latency 127.0.0.1 PORT 8 64 /tmp/req
// One thread, epoll, every connection sends its next request as soon as the answer (by Content-Length) is in.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { int fd; double start; char buf[65536]; size_t got; long need; } conn;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
static char req[8192]; static size_t reqlen;
static void send_req(conn *c) { c->start = now(); c->got = 0; c->need = -1; size_t off = 0; while (off < reqlen) { ssize_t n = write(c->fd, req + off, reqlen - off); if (n < 0) { if (errno == EAGAIN) continue; perror("write"); exit(1); } off += n; } }
int main(int argc, char **argv) {
  if (argc < 6) return 2;
  FILE *f = fopen(argv[5], "rb"); reqlen = fread(req, 1, sizeof req, f); fclose(f);
  int conns = atoi(argv[4]); double secs = atof(argv[3]);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) }; inet_pton(AF_INET, argv[1], &sa.sin_addr);
  int ep = epoll_create1(0); conn *cs = calloc(conns, sizeof(conn));
  size_t cap = 1 << 22, n = 0; double *lat = malloc(cap * sizeof(double));
  for (int i = 0; i < conns; i++) {
    cs[i].fd = socket(AF_INET, SOCK_STREAM, 0); int one = 1; setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(cs[i].fd, (void *)&sa, sizeof sa)) { perror("connect"); return 1; }
    fcntl(cs[i].fd, F_SETFL, O_NONBLOCK);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cs[i] }; epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
  }
  double t0 = now(), end = t0 + secs;
  for (int i = 0; i < conns; i++) send_req(&cs[i]);
  struct epoll_event evs[256];
  while (now() < end) {
    int k = epoll_wait(ep, evs, 256, 100);
    for (int j = 0; j < k; j++) {
      conn *c = evs[j].data.ptr;
      for (;;) {
        ssize_t r = read(c->fd, c->buf + c->got, sizeof c->buf - c->got);
        if (r < 0) { if (errno == EAGAIN) break; perror("read"); return 1; }
        if (r == 0) { fprintf(stderr, "closed\n"); return 1; }
        c->got += r;
        if (c->need < 0) {
          char *h = memmem(c->buf, c->got, "\r\n\r\n", 4);
          if (h) { char *cl = strcasestr(c->buf, "content-length:"); long len = cl ? atol(cl + 15) : 0; c->need = (h + 4 - c->buf) + len; }
        }
        if (c->need >= 0 && (long)c->got >= c->need) {
          double t = now(); if (n < cap) lat[n++] = (t - c->start) * 1e3;
          send_req(c);
          break;
        }
      }
    }
  }
  double el = now() - t0; qsort(lat, n, sizeof(double), cmp);
  printf("n=%zu rps=%.0f p50=%.1fms p90=%.1fms p99=%.1fms p99.9=%.1fms max=%.1fms\n", n, n / el, lat[n / 2], lat[(size_t)(n * 0.9)], lat[(size_t)(n * 0.99)], lat[(size_t)(n * 0.999)], lat[n - 1]);
  return 0;
}
