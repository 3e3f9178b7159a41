#include "base/filetime.h"

#include <stdint.h>

uint64_t filetime_from_timespec(struct timespec ts)
{
    int64_t since_1601 = (int64_t)ts.tv_sec + (int64_t)FILETIME_UNIX_EPOCH_SECONDS;
    if (since_1601 < 0)
        return 0;
    if ((uint64_t)since_1601 > (UINT64_MAX - 9999999) / 10000000)
        return UINT64_MAX;
    return (uint64_t)since_1601 * 10000000u + (uint64_t)ts.tv_nsec / 100u;
}

struct timespec filetime_to_timespec(uint64_t ft)
{
    struct timespec ts;
    uint64_t secs = ft / 10000000u;
    ts.tv_sec = (time_t)((int64_t)secs - (int64_t)FILETIME_UNIX_EPOCH_SECONDS);
    ts.tv_nsec = (long)(ft % 10000000u) * 100;
    return ts;
}

uint64_t filetime_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return filetime_from_timespec(ts);
}
