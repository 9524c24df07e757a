/* tcp_flood: idle TCP connections, as a hostile client opens them, for the connection-flood
 * scenario (issue 10, part 3). Opens CONNECTIONS plain TCP connections to HOST:PORT as fast as
 * it can, sends nothing on them (no ZMTP greeting), and holds them for HOLD_SECONDS, noting each
 * one the server closes. No libzmq: the point is a peer that never becomes a ZeroMQ peer.
 *
 *   tcp_flood -e tcp://HOST:PORT -n CONNECTIONS [-t HOLD_SECONDS]
 *
 * Connects all at once, non-blocking (the kernel retries what a full accept queue dropped), for
 * at most 60 s. Raises its own soft descriptor limit to the hard one. Prints "flooding" on
 * stderr once every connect completed or failed, and one line of JSON on stdout at the end:
 * {"opened":N,"failed":F,"closed_by_server":C,"seconds_to_open":S}: `opened` connects that
 * completed, `failed` ones that did not (refused, or out of descriptors), `closed_by_server`
 * those of `opened` the server closed while they were held.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "pubsub_common.h"

int main(int argc, char **argv) {
    const char *endpoint = NULL;
    long connections = 0, hold_seconds = 10;
    int opt;
    while ((opt = getopt(argc, argv, "e:n:t:")) != -1) {
        switch (opt) {
        case 'e': endpoint = optarg; break;
        case 'n': connections = parse_long_arg(optarg, "CONNECTIONS (-n)", 1, 1000000); break;
        case 't': hold_seconds = parse_long_arg(optarg, "HOLD_SECONDS (-t)", 0, 3600); break;
        default:
            fprintf(stderr, "usage: %s -e tcp://HOST:PORT -n CONNECTIONS [-t HOLD_SECONDS]\n", argv[0]);
            return 64;
        }
    }
    char host[64];
    int port = 0;
    if (endpoint == NULL || connections == 0 || sscanf(endpoint, "tcp://%63[^:]:%d", host, &port) != 2) {
        fprintf(stderr, "usage: %s -e tcp://HOST:PORT -n CONNECTIONS [-t HOLD_SECONDS]\n", argv[0]);
        return 64;
    }
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        fprintf(stderr, "-e: '%s' is not an IPv4 address\n", host);
        return 64;
    }
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }

    struct pollfd *fds = calloc((size_t)connections, sizeof *fds);
    if (fds == NULL) { fprintf(stderr, "out of memory\n"); return 1; }
    long opened = 0, failed = 0, closed = 0, pending = 0;
    int64_t started = monotonic_ns();
    /* Every connect at once, non-blocking, as a hostile client would: the kernel retries the
     * SYNs a full accept queue dropped while the others go on. */
    for (long i = 0; i < connections; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0 || (connect(fd, (struct sockaddr *)&address, sizeof address) != 0 && errno != EINPROGRESS)) {
            if (fd >= 0) close(fd);
            failed++;
            fds[i].fd = -1;
            continue;
        }
        fds[i].fd = fd;
        fds[i].events = POLLOUT;
        pending++;
    }
    int64_t open_deadline = started + 60 * 1000000000LL;
    while (pending > 0 && monotonic_ns() < open_deadline) {
        if (poll(fds, (nfds_t)connections, 100) <= 0) continue;
        for (long i = 0; i < connections; i++) {
            if (fds[i].fd < 0 || fds[i].events != POLLOUT || fds[i].revents == 0) continue;
            int error = 0;
            socklen_t length = sizeof error;
            getsockopt(fds[i].fd, SOL_SOCKET, SO_ERROR, &error, &length);
            pending--;
            if (error != 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                failed++;
            } else {
                fds[i].events = POLLIN;
                opened++;
            }
        }
    }
    failed += pending;
    double seconds_to_open = (double)(monotonic_ns() - started) / 1e9;
    fflush(stderr);
    fprintf(stderr, "flooding\n");
    int64_t deadline = monotonic_ns() + (int64_t)hold_seconds * 1000000000LL;
    char scratch[256];
    while (monotonic_ns() < deadline) {
        int ready = poll(fds, (nfds_t)connections, 100);
        for (long i = 0; ready > 0 && i < connections; i++) {
            if (fds[i].fd < 0 || fds[i].events != POLLIN || fds[i].revents == 0) continue;
            ready--;
            ssize_t got = recv(fds[i].fd, scratch, sizeof scratch, 0);
            if (got > 0) continue; /* a greeting: read and ignored */
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            close(fds[i].fd);
            fds[i].fd = -1;
            closed++;
        }
    }
    for (long i = 0; i < connections; i++) if (fds[i].fd >= 0) close(fds[i].fd);
    printf("{\"opened\":%ld,\"failed\":%ld,\"closed_by_server\":%ld,\"seconds_to_open\":%.3f}\n", opened, failed, closed,
           seconds_to_open);
    return 0;
}
