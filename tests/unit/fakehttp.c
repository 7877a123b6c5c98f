#include "fakehttp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

struct fh_server {
    int fd;
    int port;
    fh_handler handler;
    void *ctx;
    pthread_t thread;
    int stop;
    int count;
    int active;
    pthread_mutex_t mu;
};

typedef struct conn {
    fh_server *s;
    int fd;
} conn;

void fh_header(fh_response *resp, const char *fmt, ...)
{
    size_t n = strlen(resp->headers);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(resp->headers + n, sizeof resp->headers - n - 2, fmt, ap);
    va_end(ap);
    strcat(resp->headers, "\r\n");
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Copies the value of header name from the head into out. */
static void header_value(const char *head, const char *name, char *out, size_t max)
{
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = head; (p = strstr(p, "\r\n")) != NULL;) {
        p += 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t n = strcspn(v, "\r\n");
            if (n >= max)
                n = max - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return;
        }
    }
}

/* Reads the head and the body (Content-Length only) of one request. */
static int read_request(int fd, fh_request *rq)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    char *end = NULL;
    while (end == NULL) {
        if (len == cap) {
            free(buf);
            return -1;
        }
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n <= 0) {
            free(buf);
            return -1;
        }
        len += (size_t)n;
        buf[len] = '\0';
        if ((unsigned char)buf[0] == 0x16) {
            /* a TLS handshake: answer as an HTTP server would, at once */
            send_all(fd, "HTTP/1.0 400 Bad Request\r\n\r\n", 28);
            free(buf);
            return -1;
        }
        end = strstr(buf, "\r\n\r\n");
    }
    *end = '\0';
    sscanf(buf, "%15s %2047s", rq->method, rq->path);
    header_value(buf, "Authorization", rq->authorization, sizeof rq->authorization);
    header_value(buf, "Range", rq->range, sizeof rq->range);
    header_value(buf, "Content-Type", rq->content_type, sizeof rq->content_type);
    header_value(buf, "Content-Range", rq->content_range, sizeof rq->content_range);
    char cl[32];
    header_value(buf, "Content-Length", cl, sizeof cl);
    size_t want = (size_t)strtoull(cl, NULL, 10);
    size_t have = len - (size_t)(end + 4 - buf);
    rq->body = malloc(want + 1);
    memcpy(rq->body, end + 4, have < want ? have : want);
    while (have < want) {
        ssize_t n = recv(fd, rq->body + have, want - have, 0);
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    rq->body_len = have < want ? have : want;
    rq->body[rq->body_len] = '\0';
    free(buf);
    return 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 206: return "Partial Content";
    case 307: return "Temporary Redirect";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    default: return "Status";
    }
}

static void *serve(void *arg)
{
    conn *c = arg;
    fh_request rq;
    memset(&rq, 0, sizeof rq);
    if (read_request(c->fd, &rq) == 0) {
        fh_response rs;
        memset(&rs, 0, sizeof rs);
        rs.status = 404;
        rs.cut_after = -1;
        c->s->handler(&rq, &rs, c->s->ctx);
        char head[8192];
        int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n%sConnection: close\r\n",
                         rs.status, reason(rs.status), rs.headers);
        if (!rs.no_content_length)
            n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n",
                          rs.body_len);
        n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
        send_all(c->fd, head, (size_t)n);
        size_t body = rs.body_len;
        if (rs.cut_after >= 0 && (size_t)rs.cut_after < body)
            body = (size_t)rs.cut_after;
        if (rs.body && strcmp(rq.method, "HEAD") != 0)
            send_all(c->fd, rs.body, body);
        pthread_mutex_lock(&c->s->mu);
        c->s->count++;
        pthread_mutex_unlock(&c->s->mu);
    }
    free(rq.body);
    shutdown(c->fd, SHUT_RDWR);
    close(c->fd);
    pthread_mutex_lock(&c->s->mu);
    c->s->active--;
    pthread_mutex_unlock(&c->s->mu);
    free(c);
    return NULL;
}

static void *acceptor(void *arg)
{
    fh_server *s = arg;
    while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept(s->fd, NULL, NULL);
        if (fd < 0)
            continue;
        conn *c = malloc(sizeof *c);
        c->s = s;
        c->fd = fd;
        pthread_t t;
        pthread_mutex_lock(&s->mu);
        s->active++;
        pthread_mutex_unlock(&s->mu);
        if (pthread_create(&t, NULL, serve, c) == 0) {
            pthread_detach(t);
        } else {
            close(fd);
            free(c);
            pthread_mutex_lock(&s->mu);
            s->active--;
            pthread_mutex_unlock(&s->mu);
        }
    }
    return NULL;
}

fh_server *fh_start(fh_handler h, void *ctx)
{
    fh_server *s = calloc(1, sizeof *s);
    s->handler = h;
    s->ctx = ctx;
    pthread_mutex_init(&s->mu, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(s->fd, 64) < 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &al) < 0) {
        if (s->fd >= 0)
            close(s->fd);
        free(s);
        return NULL;
    }
    s->port = ntohs(a.sin_port);
    pthread_create(&s->thread, NULL, acceptor, s);
    return s;
}

int fh_port(const fh_server *s)
{
    return s->port;
}

int fh_count(fh_server *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->count;
    pthread_mutex_unlock(&s->mu);
    return n;
}

void fh_stop(fh_server *s)
{
    if (s == NULL)
        return;
    __atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
    pthread_join(s->thread, NULL);
    close(s->fd);
    /* wait for connections in flight: their threads use s */
    for (;;) {
        pthread_mutex_lock(&s->mu);
        int active = s->active;
        pthread_mutex_unlock(&s->mu);
        if (active == 0)
            break;
        usleep(1000);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}
