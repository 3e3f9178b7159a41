/* Helpers for the SMB2 message targets: re-encoding a decoded body behind
 * the original 64-byte header, for the round-trip oracle. */
#ifndef SIGNET_FUZZ_SMB2_H
#define SIGNET_FUZZ_SMB2_H

#include "base/cursor.h"
#include "fuzz_common.h"
#include "wire/smb2.h"

/* Large enough for any message a 64 KiB input can decode to, re-encoded. */
#define FUZZ_RT_CAP (160u * 1024)

/* A writer over a fresh buffer holding the original header, positioned at
 * SMB2_HDR_SIZE as the encoders expect. Free w->p with free(). */
static inline void fuzz_rt_begin(struct wr *w, const uint8_t *msg)
{
    uint8_t *p = malloc(FUZZ_RT_CAP);
    if (p == NULL)
        abort();
    wr_init(w, p, FUZZ_RT_CAP);
    wr_bytes(w, msg, SMB2_HDR_SIZE);
}

/* After encoding: the encoder must have succeeded (it was given a value that
 * just decoded); returns an exact-size copy of the message for the second
 * decode, so ASan sees any overread, and frees the writer's buffer. */
static inline uint8_t *fuzz_rt_end(struct wr *w, ntstatus_t enc_status, size_t *len)
{
    FUZZ_CHECK_OK(enc_status);
    FUZZ_CHECK_OK(wr_status(w));
    *len = wr_pos(w);
    uint8_t *copy = fuzz_dup(w->p, *len);
    free(w->p);
    w->p = NULL;
    return copy;
}

#endif
