/* FILETIME: 100-ns intervals since 1601-01-01 UTC ([MS-DTYP] 2.3.3). */
#ifndef SIGNET_BASE_FILETIME_H
#define SIGNET_BASE_FILETIME_H

#include <stdint.h>
#include <time.h>

/* Seconds between 1601-01-01 and 1970-01-01. */
#define FILETIME_UNIX_EPOCH_SECONDS 11644473600ULL

/* Times before 1601 clamp to 0; times past the FILETIME range clamp to its max. */
uint64_t filetime_from_timespec(struct timespec ts);
struct timespec filetime_to_timespec(uint64_t ft);
uint64_t filetime_now(void);

#endif
