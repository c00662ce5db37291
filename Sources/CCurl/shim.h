// Non-variadic wrappers around libcurl's variadic entry points, which Swift cannot call.
#ifndef OPSAGENT_CCURL_SHIM_H
#define OPSAGENT_CCURL_SHIM_H

#include <curl/curl.h>
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static inline CURLcode ccurl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_blob(CURL *h, CURLoption o, struct curl_blob *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_write_function(CURL *h, curl_write_callback f) { return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode ccurl_easy_setopt_header_function(CURL *h, curl_write_callback f) { return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, f); }
static inline CURLcode ccurl_easy_setopt_read_function(CURL *h, curl_read_callback f) { return curl_easy_setopt(h, CURLOPT_READFUNCTION, f); }
static inline CURLcode ccurl_easy_setopt_share(CURL *h, CURLSH *s) { return curl_easy_setopt(h, CURLOPT_SHARE, s); }

static inline CURLcode ccurl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ccurl_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ccurl_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode ccurl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode ccurl_multi_setopt_pointer(CURLM *m, CURLMoption o, void *v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode ccurl_multi_setopt_socket_function(CURLM *m, curl_socket_callback f) { return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, f); }

// epoll for the transport's driver, in C because `struct epoll_event` is packed on x86_64.

/// Watches `fd` for what libcurl asks (CURL_POLL_IN/OUT/INOUT), or stops watching it (CURL_POLL_REMOVE).
/// Returns 0, or -1 with errno set.
static inline int ccurl_epoll_watch(int ep, int fd, int what) {
    if (what == CURL_POLL_REMOVE) {
        // The socket may already be closed (closing removes it from the set): nothing to undo.
        if (epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL) != 0 && errno != ENOENT && errno != EBADF) return -1;
        return 0;
    }
    struct epoll_event ev = {0};
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
    ev.data.fd = fd;
    if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) == 0) return 0;
    if (errno != ENOENT) return -1;
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/// Waits for up to `max` (at most 64) ready descriptors; fills `fds` and `masks` (CURL_CSELECT_*)
/// and returns how many, 0 on timeout, or -1 with errno set.
static inline int ccurl_epoll_wait(int ep, int *fds, int *masks, int max, int timeout_ms) {
    struct epoll_event events[64];
    if (max > 64) max = 64;
    int n = epoll_wait(ep, events, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        uint32_t e = events[i].events;
        int mask = 0;
        if (e & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) mask |= CURL_CSELECT_IN;
        if (e & EPOLLOUT) mask |= CURL_CSELECT_OUT;
        // An error also reads as readable, as libcurl's own poll loop does: a stale ERR alone
        // (for a number reused by a new socket meanwhile) would fail a healthy transfer.
        if (e & EPOLLERR) mask |= CURL_CSELECT_IN | CURL_CSELECT_ERR;
        fds[i] = events[i].data.fd;
        masks[i] = mask;
    }
    return n;
}

static inline int ccurl_epoll_add_reader(int ep, int fd) {
    struct epoll_event ev = {0};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}
static inline CURLSHcode ccurl_share_setopt_long(CURLSH *s, CURLSHoption o, long v) { return curl_share_setopt(s, o, v); }

// Named constants that Swift imports poorly (macros built from casts or enums with odd types).
static inline long ccurl_write_pause(void) { return CURL_WRITEFUNC_PAUSE; }
static inline int ccurl_pause_cont(void) { return CURLPAUSE_CONT; }
static inline long ccurl_http_version_2tls(void) { return CURL_HTTP_VERSION_2TLS; }
static inline long ccurl_pipe_multiplex(void) { return CURLPIPE_MULTIPLEX; }
static inline unsigned int ccurl_blob_copy(void) { return CURL_BLOB_COPY; }
static inline curl_socket_t ccurl_socket_timeout(void) { return CURL_SOCKET_TIMEOUT; }

#endif
