/* Scan targets, generated lazily (a /16 is 65,536 addresses but costs one
 * small iterator, never a list).
 *
 * One target specification is one of:
 *   a.b.c.d              one IPv4 address
 *   a.b.c.d/nn           a CIDR block, nn from 16 to 32 (at most 65,536
 *                        addresses; host bits of a.b.c.d are ignored; network
 *                        and broadcast addresses are included, as nmap does)
 *   a.b.c.d-e            a.b.c.d .. a.b.c.e (last octet range)
 *   a.b.c.d-w.x.y.z      an inclusive range of at most 65,536 addresses
 *   name                 a host name, resolved (IPv4) when its turn comes
 *   @file, or the path of an existing regular file
 *                        one specification per line (any of the above but a
 *                        file); '#' starts a comment; blank lines are skipped
 */
#ifndef SIGNET_PROBE_TARGETS_H
#define SIGNET_PROBE_TARGETS_H

#include "probe/probe.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TARGET_MAX_PER_SPEC 65536u
#define TARGET_MIN_PREFIX   16

enum target_kind { TARGET_RANGE, TARGET_NAME };

/* One parsed specification (not a file). first/last in host byte order. */
struct target_range {
    enum target_kind kind;
    uint32_t first;
    uint32_t last;
    char name[PROBE_HOST_MAX]; /* TARGET_NAME */
};

/* Parse one specification that is not a file. STATUS_INVALID_PARAMETER with
 * a reason in err for anything malformed or too large. */
ntstatus_t target_parse(const char *spec, struct target_range *out, char *err, size_t err_len);

/* Validate every specification (reading files) and count the targets, names
 * counting one each. The error names the file and line. */
ntstatus_t target_count(char *const *specs, size_t n, uint64_t *count, char *err, size_t err_len);

struct target_iter;

/* Iterate specs (borrowed: they must outlive the iterator); every target
 * gets port (host order). */
ntstatus_t target_iter_new(char *const *specs, size_t n, uint16_t port, struct target_iter **out);
/* The next target: true with *t filled (t->status not SUCCESS for a name
 * that does not resolve), false at the end. A malformed specification met
 * during iteration (a file changed since target_count) is skipped and
 * remembered: see target_iter_error. */
bool target_iter_next(struct target_iter *it, struct probe_target *t);
const char *target_iter_error(const struct target_iter *it); /* NULL when none */
void target_iter_free(struct target_iter *it);

#endif
