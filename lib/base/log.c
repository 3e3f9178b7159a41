#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>

static sg_log_fn log_fn;
static void *log_ctx;
static enum sg_log_level log_max = SG_LOG_NOTICE;

void sg_log_set(sg_log_fn fn, void *ctx, enum sg_log_level max_level)
{
    log_fn = fn;
    log_ctx = ctx;
    log_max = max_level;
}

void sg_log(enum sg_log_level level, const char *fmt, ...)
{
    if (!log_fn || level > log_max)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_fn(log_ctx, level, msg);
}

const char *sg_log_level_name(enum sg_log_level level)
{
    static const char *const names[] = {"error", "warning", "notice", "info", "debug"};
    return (unsigned)level < sizeof names / sizeof names[0] ? names[level] : "?";
}

bool sg_log_enabled(enum sg_log_level level)
{
    return log_fn && level <= log_max;
}
