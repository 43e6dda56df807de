/*
 * serve.c — `reprint serve --db DIR`: the index over HTTP (libmicrohttpd in
 * thread-pool mode), a small JSON API (docs/INDEX.md):
 *
 *   POST   /v1/documents[?query=1]  add one JSON document or JSONL; with
 *                                   query=1 each is answered first
 *   POST   /v1/query[?answer=pairs|align]  answer without adding
 *   GET    /v1/documents/ID         the document
 *   DELETE /v1/documents/ID
 *   GET    /v1/stats, /v1/health
 *
 * Answers are the lines `reprint index query` prints, written by the same
 * library writers, inside {"results": [{"id": ID, "answers": [...]}]}.
 * Adds from all connections go through one committer thread, which takes
 * every add waiting and commits them together (group commit: one sync for
 * many requests). A body is read whole and checked before any of it is
 * added, so a bad line adds nothing. Bounded: body size, connections,
 * requests in flight (503 beyond), idle seconds per connection.
 */
#include "index_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ group commit */

typedef struct job {
    struct job *next;
    const rp_index_doc *docs;
    size_t n;
    rp_status *status;
    rp_status result;
    char err[RP_ERROR_MAX];
    int done;
} job;

typedef struct {
    rp_index *ix;
    const cli_opts *o;
    char token[512];
    size_t max_body;
    unsigned max_inflight;
    atomic_uint inflight;
    pthread_mutex_t mu;
    pthread_cond_t work, finished;
    job *queue, *tail;
    int stopping;
    atomic_ullong commits, committed_docs;
} server;

static void *committer(void *arg)
{
    server *s = arg;
    rp_index_doc *docs = NULL;
    rp_status *status = NULL;
    size_t cap = 0;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->queue && !s->stopping) pthread_cond_wait(&s->work, &s->mu);
        if (!s->queue && s->stopping) break;
        job *batch = s->queue;
        s->queue = s->tail = NULL;
        pthread_mutex_unlock(&s->mu);
        size_t n = 0;
        for (job *j = batch; j; j = j->next) n += j->n;
        rp_status st = RP_OK;
        char err[RP_ERROR_MAX] = "";
        if (n > cap) {
            rp_index_doc *d = realloc(docs, n * sizeof(*d));
            rp_status *t = realloc(status, n * sizeof(*t));
            if (d) docs = d;
            if (t) status = t;
            if (d && t) cap = n;
            else st = RP_ERR_NOMEM;
        }
        if (st == RP_OK) {
            size_t k = 0;
            for (job *j = batch; j; j = j->next, k += 0)
                for (size_t i = 0; i < j->n; i++) docs[k++] = j->docs[i];
            st = rp_index_add(s->ix, docs, n, status, err);
            atomic_fetch_add(&s->commits, 1);
            atomic_fetch_add(&s->committed_docs, n);
        }
        pthread_mutex_lock(&s->mu);
        size_t k = 0;
        for (job *j = batch; j; j = j->next) {
            for (size_t i = 0; i < j->n; i++, k++) j->status[i] = st == RP_OK ? status[k] : st;
            j->result = st;
            snprintf(j->err, sizeof(j->err), "%s", err);
            j->done = 1;
        }
        pthread_cond_broadcast(&s->finished);
    }
    pthread_mutex_unlock(&s->mu);
    free(docs);
    free(status);
    return NULL;
}

/* Adds through the committer; returns when the commit is durable. */
static rp_status add_docs(server *s, const rp_index_doc *docs, size_t n, rp_status *status, char *err)
{
    job j = {NULL, docs, n, status, RP_OK, "", 0};
    pthread_mutex_lock(&s->mu);
    if (s->tail) s->tail->next = &j;
    else s->queue = &j;
    s->tail = &j;
    pthread_cond_signal(&s->work);
    while (!j.done) pthread_cond_wait(&s->finished, &s->mu);
    pthread_mutex_unlock(&s->mu);
    if (j.result != RP_OK) snprintf(err, RP_ERROR_MAX, "%s", j.err);
    return j.result;
}

/* ------------------------------------------------------------ requests */

typedef struct {
    char *body;
    size_t len, cap;
    int too_large;
    int counted;             /* holds an in-flight slot */
} request;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, char *json, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, json, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(json);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return MHD_NO;
    fputs("{\"error\": ", f);
    rp_write_json_string(f, msg, strlen(msg));
    fprintf(f, ", \"status\": %u}\n", code);
    fclose(f);
    return reply(c, code, buf, len);
}

/* The documents of a body: one JSON object, or JSONL (an object a line).
 * All are checked before any is used; *bad names the first that is not. */
typedef struct {
    json_t **roots;
    rp_index_doc *docs;
    char (*nums)[96];
    size_t n;
} body_docs;

static void body_docs_free(body_docs *b)
{
    for (size_t i = 0; i < b->n; i++) json_decref(b->roots[i]);
    free(b->roots);
    free(b->docs);
    free(b->nums);
    memset(b, 0, sizeof(*b));
}

static int parse_body(const server *s, const char *body, size_t len, body_docs *out, char *bad, size_t cap)
{
    memset(out, 0, sizeof(*out));
    size_t lines = 1;
    for (size_t k = 0; k < len; k++) lines += body[k] == '\n';
    out->roots = calloc(lines, sizeof(json_t *));
    out->docs = calloc(lines, sizeof(rp_index_doc));
    out->nums = calloc(lines, sizeof(*out->nums));
    if (!out->roots || !out->docs || !out->nums) {
        snprintf(bad, cap, "out of memory");
        return -1;
    }
    size_t line = 0;
    for (const char *p = body, *end = body + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        line++;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
        if (q < e) {
            json_error_t je;
            json_t *root = json_loadb(p, (size_t)(e - p), JSON_ALLOW_NUL, &je);
            const char *why = NULL;
            if (!root) {
                snprintf(bad, cap, "line %zu: invalid JSON: %s", line, je.text);
                return -1;
            }
            out->roots[out->n] = root;
            if (cli_doc_from_json(root, &s->o->params, &out->docs[out->n], out->nums[out->n], &why) != RP_OK) {
                out->n++;
                snprintf(bad, cap, "line %zu: %s", line, why);
                return -1;
            }
            out->n++;
        }
        p = nl ? nl + 1 : end;
    }
    if (out->n == 0) {
        snprintf(bad, cap, "no document in the body");
        return -1;
    }
    return 0;
}

/* Answers of one query into f, as a JSON array of the CLI's lines. */
typedef struct {
    FILE *f;
    size_t n;
} answer_sink;

static void trim_newline(FILE *f)
{
    fflush(f);
    long at = ftell(f);
    if (at > 0) fseek(f, at - 1, SEEK_SET); /* the writer's newline, overwritten */
}

static int sink_pair(void *user, const rp_pair *p)
{
    answer_sink *a = user;
    if (a->n++) fputs(", ", a->f);
    rp_write_pair_jsonl(a->f, p);
    trim_newline(a->f);
    return 0;
}

static int sink_alignment(void *user, const rp_alignment *al)
{
    answer_sink *a = user;
    if (a->n++) fputs(", ", a->f);
    rp_write_alignment_jsonl(a->f, al);
    trim_newline(a->f);
    return 0;
}

static unsigned what_of(server *s, struct MHD_Connection *c)
{
    const char *a = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "answer");
    rp_index_stats st;
    if (a && strcmp(a, "pairs") == 0) return RP_QUERY_PAIRS;
    if (a && strcmp(a, "align") == 0) return RP_QUERY_PASSAGES;
    if (a) return 0;
    if (s->o->answer) return s->o->answer == 1 ? RP_QUERY_PAIRS : RP_QUERY_PASSAGES;
    return rp_index_stat(s->ix, &st, NULL) == RP_OK && st.passages ? RP_QUERY_PASSAGES : RP_QUERY_PAIRS;
}

static const char *status_word(rp_status st)
{
    return st == RP_OK ? "added" : st == RP_ERR_EXISTS ? "exists" : rp_status_name(st);
}

/* POST /v1/documents and /v1/query. */
static enum MHD_Result post_docs(server *s, struct MHD_Connection *c, request *rq, int add)
{
    const char *qa = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "query");
    int query = !add || (qa && strcmp(qa, "0") != 0 && strcmp(qa, "false") != 0);
    unsigned what = query ? what_of(s, c) : 0;
    if (query && !what) return reply_error(c, MHD_HTTP_BAD_REQUEST, "answer is pairs or align");
    body_docs b;
    char bad[600];
    if (parse_body(s, rq->body ? rq->body : "", rq->len, &b, bad, sizeof(bad))) {
        body_docs_free(&b);
        return reply_error(c, MHD_HTTP_BAD_REQUEST, "%s", bad);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rp_status *status = calloc(b.n, sizeof(rp_status));
    if (!f || !status) {
        if (f) fclose(f);
        free(buf);
        free(status);
        body_docs_free(&b);
        return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    unsigned code = add ? MHD_HTTP_CREATED : MHD_HTTP_OK;
    char err[RP_ERROR_MAX] = "";
    rp_status fail = RP_OK;
    /* check, then add: each answered before it is added, so a body's
     * later documents are answered against its earlier ones */
    fputs("{\"results\": [", f);
    for (size_t i = 0; i < b.n && fail == RP_OK; i++) {
        if (i) fputs(", ", f);
        fputs("{\"id\": ", f);
        rp_write_json_id(f, &b.docs[i].id);
        if (query) {
            answer_sink a = {f, 0};
            rp_query_out out = {sink_pair, sink_alignment, &a};
            fputs(", \"answers\": [", f);
            rp_status st = rp_index_query(s->ix, &b.docs[i], what, &out, err);
            fputs("]", f);
            if (st != RP_OK && !rp_status_is_bad_input(st)) fail = st;
            else if (st != RP_OK) status[i] = st;
        }
        if (add && fail == RP_OK && status[i] == RP_OK) {
            /* a body of several without query is added in one commit below */
            if (query || b.n == 1) fail = add_docs(s, &b.docs[i], 1, &status[i], err);
        }
        if (add && (query || b.n == 1)) fprintf(f, ", \"status\": \"%s\"", status_word(status[i]));
        else if (!add && status[i] != RP_OK) fprintf(f, ", \"status\": \"%s\"", status_word(status[i]));
        fputs("}", f);
    }
    if (add && !query && b.n > 1 && fail == RP_OK) {
        fclose(f);
        free(buf);
        buf = NULL;
        f = open_memstream(&buf, &len);
        if (!f) fail = RP_ERR_NOMEM;
        else if ((fail = add_docs(s, b.docs, b.n, status, err)) == RP_OK) {
            fputs("{\"results\": [", f);
            for (size_t i = 0; i < b.n; i++) {
                fputs(i ? ", {\"id\": " : "{\"id\": ", f);
                rp_write_json_id(f, &b.docs[i].id);
                fprintf(f, ", \"status\": \"%s\"}", status_word(status[i]));
            }
        }
    }
    size_t added = 0, exists = 0, rejected = 0;
    for (size_t i = 0; i < b.n; i++)
        added += status[i] == RP_OK, exists += status[i] == RP_ERR_EXISTS,
            rejected += status[i] != RP_OK && status[i] != RP_ERR_EXISTS;
    if (f) {
        if (add) fprintf(f, "], \"added\": %zu, \"exists\": %zu, \"rejected\": %zu}\n", added, exists, rejected);
        else fputs("]}\n", f);
        fclose(f);
    }
    free(status);
    size_t n = b.n;
    body_docs_free(&b);
    if (fail != RP_OK) {
        free(buf);
        return reply_error(c, fail == RP_ERR_NOMEM ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "%s", err[0] ? err : rp_status_name(fail));
    }
    if (add && n == 1 && exists) code = MHD_HTTP_CONFLICT;
    else if (add && n == 1 && rejected) code = MHD_HTTP_UNPROCESSABLE_CONTENT;
    else if (add && (exists || rejected)) code = MHD_HTTP_OK;
    return reply(c, code, buf, len);
}

static enum MHD_Result one_doc(server *s, struct MHD_Connection *c, const char *method, const char *id_text)
{
    rp_id id;
    cli_id_arg(id_text, &id);
    if (id.len == 0) return reply_error(c, MHD_HTTP_BAD_REQUEST, "no id");
    char err[RP_ERROR_MAX] = "";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
    rp_status st;
    if (strcmp(method, "GET") == 0) {
        st = rp_index_get(s->ix, &id, cli_write_indexed_doc, f, err);
    } else {
        st = rp_index_delete(s->ix, &id, err);
        if (st == RP_OK) {
            fputs("{\"deleted\": ", f);
            rp_write_json_id(f, &id);
            fputs("}\n", f);
        }
    }
    fclose(f);
    if (st == RP_OK) return reply(c, MHD_HTTP_OK, buf, len);
    free(buf);
    if (st == RP_ERR_NOT_FOUND) return reply_error(c, MHD_HTTP_NOT_FOUND, "no document %s", id_text);
    return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
}

static enum MHD_Result stats(server *s, struct MHD_Connection *c)
{
    rp_index_stats st;
    char err[RP_ERROR_MAX] = "";
    if (rp_index_stat(s->ix, &st, err) != RP_OK) return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
    cli_write_index_stats(f, &st);
    fclose(f);
    return reply(c, MHD_HTTP_OK, buf, len);
}

static int authorized(server *s, struct MHD_Connection *c)
{
    if (!s->token[0]) return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncmp(h, "Bearer ", 7) != 0) return 0;
    /* compared in constant time: the token is a secret */
    size_t a = strlen(h + 7), b = strlen(s->token);
    unsigned diff = a != b;
    for (size_t k = 0; k < a && k < b; k++) diff |= (unsigned char)h[7 + k] ^ (unsigned char)s->token[k];
    return diff == 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    request *rq = *con_cls;
    if (!rq) { /* the headers: say early what will not be served */
        if (!(rq = calloc(1, sizeof(*rq)))) return MHD_NO;
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->too_large && rq->len + *upload_size > s->max_body) {
            rq->too_large = 1;
            free(rq->body);
            rq->body = NULL;
            rq->len = rq->cap = 0;
        }
        if (!rq->too_large) {
            if (rq->len + *upload_size + 1 > rq->cap) {
                size_t cap = (rq->len + *upload_size + 1) * 2;
                if (cap > s->max_body + 1) cap = s->max_body + 1;
                char *b = realloc(rq->body, cap);
                if (!b) return MHD_NO;
                rq->body = b, rq->cap = cap;
            }
            memcpy(rq->body + rq->len, upload, *upload_size);
            rq->len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (!authorized(s, c)) return reply_error(c, MHD_HTTP_UNAUTHORIZED, "a bearer token is needed");
    if (rq->too_large)
        return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "the body is larger than %zu bytes", s->max_body);
    if (!rq->counted) {
        if (atomic_fetch_add(&s->inflight, 1) >= s->max_inflight) {
            atomic_fetch_sub(&s->inflight, 1);
            return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "busy: %u requests in flight", s->max_inflight);
        }
        rq->counted = 1;
    }
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0, del = strcmp(method, "DELETE") == 0;
    if (strcmp(url, "/v1/health") == 0) {
        if (!get) return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET %s", url);
        char *ok = strdup("{\"status\": \"ok\"}\n");
        return ok ? reply(c, MHD_HTTP_OK, ok, strlen(ok)) : MHD_NO;
    }
    if (strcmp(url, "/v1/stats") == 0)
        return get ? stats(s, c) : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET %s", url);
    if (strcmp(url, "/v1/documents") == 0)
        return post ? post_docs(s, c, rq, 1) : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST %s", url);
    if (strcmp(url, "/v1/query") == 0)
        return post ? post_docs(s, c, rq, 0) : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST %s", url);
    if (strncmp(url, "/v1/documents/", 14) == 0) {
        if (!get && !del) return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or DELETE %s", url);
        return one_doc(s, c, method, url + 14);
    }
    return reply_error(c, MHD_HTTP_NOT_FOUND, "no such endpoint: %s %s", method, url);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)c, (void)toe;
    server *s = cls;
    request *rq = *con_cls;
    if (!rq) return;
    if (rq->counted) atomic_fetch_sub(&s->inflight, 1);
    free(rq->body);
    free(rq);
    *con_cls = NULL;
}

/* ---------------------------------------------------------------- main */

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return 0;
}

static int read_token(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "reprint: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    out[ok ? strcspn(out, "\r\n") : 0] = 0;
    if (strlen(out) < 16) {
        fprintf(stderr, "reprint: %s: the token's first line must be 16 characters or more\n", path);
        return -1;
    }
    return 0;
}

int cli_serve(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, &o, cli_command_named("serve"));
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    free(o.inputs);
    if (!o.db || o.n_inputs) {
        fprintf(stderr, o.db ? "reprint: serve takes no input (POST documents to it)\n" : "reprint: serve needs --db DIR\n");
        return EXIT_USAGE;
    }
    static server s; /* the daemon's threads see it until they are stopped */
    memset(&s, 0, sizeof(s));
    s.o = &o;
    s.max_body = o.max_body ? o.max_body : (size_t)16 << 20;
    s.max_inflight = o.max_inflight ? o.max_inflight : 64;
    if (o.token_file && read_token(o.token_file, s.token, sizeof(s.token))) return EXIT_USAGE;
    /* where to listen */
    const char *listen = o.listen ? o.listen : "127.0.0.1:8080";
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(host)) {
        fprintf(stderr, "reprint: --listen HOST:PORT, not '%s'\n", listen);
        return EXIT_USAGE;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    if (host[0] == '[' && host[strlen(host) - 1] == ']') memmove(host, host + 1, strlen(host)), host[strlen(host) - 1] = 0;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int gai = getaddrinfo(host, colon + 1, &hints, &ai);
    if (gai) {
        fprintf(stderr, "reprint: --listen %s: %s\n", listen, gai_strerror(gai));
        return EXIT_USAGE;
    }
    if (!is_loopback(ai->ai_addr) && !s.token[0]) {
        fprintf(stderr, "reprint: listening on %s (not this machine's loopback) needs --token-file: "
                        "anyone who reaches it could add and delete documents\n", listen);
        freeaddrinfo(ai);
        return EXIT_USAGE;
    }
    char err[RP_ERROR_MAX] = "";
    rp_status st = rp_index_open(o.db, &o.params, RP_INDEX_CREATE, &s.ix, err);
    if (st != RP_OK) {
        fprintf(stderr, "reprint: %s\n", err);
        freeaddrinfo(ai);
        return st == RP_ERR_INDEX ? EXIT_USAGE : cli_exit_code(st);
    }
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.work, NULL);
    pthread_cond_init(&s.finished, NULL);
    pthread_t commit_thread;
    pthread_create(&commit_thread, NULL, committer, &s);
    /* SIGINT and SIGTERM end it, taken by this thread alone */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned threads = o.params.threads ? o.params.threads : 4;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, &s, MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE,
        threads, MHD_OPTION_CONNECTION_LIMIT, o.max_connections ? o.max_connections : 256u,
        MHD_OPTION_CONNECTION_TIMEOUT, o.timeout ? o.timeout : 10u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)64 << 10, MHD_OPTION_NOTIFY_COMPLETED, completed, &s, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d) {
        fprintf(stderr, "reprint: cannot listen on %s: %s\n", listen, strerror(errno));
        rc = EXIT_IO;
    } else {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        fprintf(stderr, "reprint: serving %s on http://%s:%u/ (%u threads%s)\n", o.db, host,
                info ? info->port : 0, threads, s.token[0] ? ", bearer token required" : "");
        fflush(stderr);
        int sig;
        sigwait(&sigs, &sig);
        MHD_stop_daemon(d);
        if (!o.quiet)
            fprintf(stderr, "reprint: serve: stopped by signal %d; %llu commits of %llu documents\n", sig,
                    (unsigned long long)atomic_load(&s.commits), (unsigned long long)atomic_load(&s.committed_docs));
    }
    pthread_mutex_lock(&s.mu);
    s.stopping = 1;
    pthread_cond_signal(&s.work);
    pthread_mutex_unlock(&s.mu);
    pthread_join(commit_thread, NULL);
    rp_index_close(s.ix);
    return rc;
}
