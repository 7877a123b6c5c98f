/* A tiny HTTP/1.1 server on 127.0.0.1 for unit tests of the registry
 * client: one thread per connection, one request per connection
 * ("Connection: close"), answers decided by a handler the test supplies. */
#ifndef KD_TESTS_FAKEHTTP_H
#define KD_TESTS_FAKEHTTP_H

#include <stddef.h>

typedef struct fh_request {
    char method[16];
    char path[2048]; /* with the query */
    char authorization[1024];
    char range[128];
    char content_type[256];
    char content_range[128];
    char *body; /* NUL-terminated */
    size_t body_len;
} fh_request;

typedef struct fh_response {
    int status;
    char headers[4096]; /* extra header lines, each ending in \r\n */
    const char *body;   /* borrowed; may be NULL */
    size_t body_len;
    long cut_after;     /* >= 0: send only this many body bytes, then close */
    int no_content_length;
} fh_response;

typedef void (*fh_handler)(const fh_request *req, fh_response *resp, void *ctx);

typedef struct fh_server fh_server;

/* Starts listening on 127.0.0.1 on a free port. */
fh_server *fh_start(fh_handler h, void *ctx);
int fh_port(const fh_server *s);
/* Requests handled so far. */
int fh_count(fh_server *s);
void fh_stop(fh_server *s);

/* Adds a header line to resp ("Name: value"). */
void fh_header(fh_response *resp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
