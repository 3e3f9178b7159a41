/* Logging: the library never prints. It reports through a handler that the
 * program installs (signetd writes to stderr for journald; tests capture). */
#ifndef SIGNET_BASE_LOG_H
#define SIGNET_BASE_LOG_H

#include <stdbool.h>

enum sg_log_level { SG_LOG_ERROR, SG_LOG_WARN, SG_LOG_NOTICE, SG_LOG_INFO, SG_LOG_DEBUG };

typedef void (*sg_log_fn)(void *ctx, enum sg_log_level level, const char *msg);

/* Install the handler (NULL silences) and the most verbose level passed on. */
void sg_log_set(sg_log_fn fn, void *ctx, enum sg_log_level max_level);
void sg_log(enum sg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *sg_log_level_name(enum sg_log_level level);
/* Would a line at this level be passed on? (To skip building costly ones.) */
bool sg_log_enabled(enum sg_log_level level);

#endif
