/* libFuzzer target: the server itself, past logon. Each input runs against
 * a fresh in-process signetd core (tests/unit/server/srv_harness.c: lib/server
 * on one end of a socketpair, its libuv loop and pool in threads) with a
 * signed SMB 3.1.1 session and a tree connected to a read-write share that is
 * emptied before every input. The input is a sequence of requests; the
 * harness fills in what a fuzzer cannot guess (MessageIds, the session and
 * tree ids, the FileId of the last CREATE) unless told not to, signs each
 * request, and reads what the server answers. So every command handler, the
 * engine's async and compound paths, the file table and the VFS are fuzzed,
 * not only the decoders (issue 13).
 *
 * Input: records, each
 *   [flags] [length: 2 bytes LE] [length bytes: an SMB2 message, header first]
 * A message shorter than the 64-byte header is padded with zeros. flags:
 *   0x01 send it unsigned             0x02 keep its SessionId
 *   0x04 keep its TreeId              0x08 put the last CREATE's FileId in
 *   0x10 more elements follow in this compound (one frame, each signed)
 *   0x20 SMB2_FLAGS_RELATED_OPERATIONS   0x40 sealed (TRANSFORM_HEADER)
 *   0x80 keep its MessageId
 * An ASYNC request (a CANCEL) gets the AsyncId of the last interim response
 * in place of the TreeId, unless 0x04.
 * After each frame the target reads responses until the one to its last
 * MessageId (an interim one counts) or 50 ms of quiet; a disconnect ends
 * the input. The server must never crash, leak (LeakSanitizer) or trip a
 * sanitizer; a harness check (logon, tree connect) failing aborts. */
#include "fuzz_common.h"
#include "srv_harness.h"

#include "wire/smb2.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F_UNSIGNED   0x01
#define F_KEEP_SID   0x02
#define F_KEEP_TID   0x04
#define F_LAST_FID   0x08
#define F_CHAIN      0x10
#define F_RELATED    0x20
#define F_SEALED     0x40
#define F_KEEP_MID   0x80
#define MAX_MSG      (64u * 1024)
#define MAX_ELEMENTS 16

static struct tconn conn; /* 1 MiB of response buffer: not on the stack */
static char share_root[64], conf[256];
static uint8_t last_fid[16];
static uint64_t last_async_id; /* of the last interim response */
static uint8_t frame[MAX_ELEMENTS * (MAX_MSG + 8)];

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag;
    return ftw->level > 0 ? remove(path) : 0;
}

static int remove_any(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_share(void)
{
    nftw(share_root, remove_any, 16, FTW_DEPTH | FTW_PHYS);
}

/* The input before this one: when a harness check fails at the start of an
 * input (the server does not answer its logon), the cause is what the
 * previous input left behind, so it is written out next to the crash. */
static uint8_t *previous;
static size_t previous_len;

static void save_previous(void)
{
    FILE *f = fopen("fuzz_server-previous-input", "wb");
    if (f && previous_len)
        fwrite(previous, 1, previous_len, f);
    if (f)
        fclose(f);
    fprintf(stderr, "the input before this one: fuzz_server-previous-input (%zu bytes)\n",
            previous_len);
}

static void remember(const uint8_t *data, size_t size)
{
    uint8_t *p = realloc(previous, size ? size : 1);
    if (!p)
        abort();
    memcpy(p, data, size);
    previous = p;
    previous_len = size;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(share_root, sizeof share_root, "/tmp/signet-fuzz-server-XXXXXX");
    if (!mkdtemp(share_root))
        abort();
    snprintf(conf, sizeof conf,
             "[global]\nserver signing = mandatory\ninvalid authentication delay = 0\n"
             "[rw]\npath = %s\nread only = no\n",
             share_root);
    harness_log_level = SG_LOG_INFO;
    /* a loaded machine is not a finding; libFuzzer's -timeout catches hangs */
    harness_recv_timeout_ms = 20000;
    atexit(remove_share);
    harness_on_abort = save_previous;
    return 0;
}

/* Where a request's FileId is, by command ([MS-SMB2] 2.2.x), from the start
 * of the message; 0: none. */
static size_t file_id_offset(uint16_t cmd)
{
    switch (cmd) {
    case SMB2_CLOSE:
    case SMB2_FLUSH:
    case SMB2_LOCK:
    case SMB2_IOCTL:
    case SMB2_QUERY_DIRECTORY:
    case SMB2_CHANGE_NOTIFY:
    case SMB2_OPLOCK_BREAK:
        return SMB2_HDR_SIZE + 8;
    case SMB2_READ:
    case SMB2_WRITE:
    case SMB2_SET_INFO:
        return SMB2_HDR_SIZE + 16;
    case SMB2_QUERY_INFO:
        return SMB2_HDR_SIZE + 24;
    default:
        return 0;
    }
}

/* One element into frame at off (8-byte aligned), its header completed as
 * flags say; returns its length. */
static size_t element(uint8_t flags, const uint8_t *p, size_t n, size_t off)
{
    uint8_t *m = frame + off;
    size_t len = n < SMB2_HDR_SIZE ? SMB2_HDR_SIZE : n;
    memset(m, 0, len);
    memcpy(m, p, n);
    le32_put(m, SMB2_PROTOCOL_ID);
    le16_put(m + 4, SMB2_HDR_SIZE);
    uint32_t hflags = le32_get(m + 16) & ~(SMB2_FLAGS_SIGNED | SMB2_FLAGS_SERVER_TO_REDIR |
                                           SMB2_FLAGS_RELATED_OPERATIONS);
    if (flags & F_RELATED)
        hflags |= SMB2_FLAGS_RELATED_OPERATIONS;
    le32_put(m + 16, hflags);
    le32_put(m + 20, 0); /* NextCommand: set when the next element is added */
    if (!(flags & F_KEEP_MID)) {
        uint16_t charge = le16_get(m + 6);
        le64_put(m + 24, conn.mid);
        conn.mid += charge ? charge : 1;
    }
    if (flags & F_KEEP_TID)
        ;
    else if (hflags & SMB2_FLAGS_ASYNC_COMMAND) /* AsyncId, for a CANCEL */
        le64_put(m + 32, last_async_id);
    else
        le32_put(m + 36, conn.tid);
    if (!(flags & F_KEEP_SID))
        le64_put(m + 40, conn.sid);
    size_t fo = file_id_offset(le16_get(m + 12));
    if ((flags & F_LAST_FID) && fo && fo + 16 <= len)
        memcpy(m + fo, last_fid, 16);
    return len;
}

/* Walk the response chain in conn.rsp: remember the AsyncId of an interim
 * response and the FileId of a successful CREATE; true if an element
 * answers MessageId mid. */
static bool saw_response(uint64_t mid)
{
    bool answered = false;
    size_t off = 0;
    while (off + SMB2_HDR_SIZE <= conn.rsp_len) {
        const uint8_t *m = conn.rsp + off;
        if (le32_get(m) != SMB2_PROTOCOL_ID)
            break;
        if (le32_get(m + 16) & SMB2_FLAGS_ASYNC_COMMAND)
            last_async_id = le64_get(m + 32);
        if (le16_get(m + 12) == SMB2_CREATE && le32_get(m + 8) == 0 &&
            off + SMB2_HDR_SIZE + 80 <= conn.rsp_len)
            memcpy(last_fid, m + SMB2_HDR_SIZE + 64, 16);
        answered |= le64_get(m + 24) == mid;
        uint32_t next = le32_get(m + 20);
        if (next == 0 || next > conn.rsp_len - off)
            break;
        off += next;
    }
    return answered;
}

/* Read responses until the one to MessageId mid (or its interim), quiet,
 * or EOF; remembers a successful CREATE's FileId. False: disconnected. */
static bool drain(uint64_t mid, int quiet_ms)
{
    for (;;) {
        if (tc_quiet(&conn, quiet_ms))
            return true;
        bool sealed;
        if (!tc_recv_unseal(&conn, &sealed))
            return false;
        if (saw_response(mid))
            return true;
    }
}

/* Sign each element (unless unsigned) and send the chain, sealed or not. */
static bool send_chain(const size_t *offs, const size_t *lens, const uint8_t *fl, size_t count,
                       size_t total)
{
    bool sealed = false;
    for (size_t i = 0; i < count; i++) {
        if (fl[i] & F_SEALED)
            sealed = true;
        else if (!(fl[i] & F_UNSIGNED))
            tc_sign(&conn, frame + offs[i], lens[i]);
    }
    if (sealed && conn.cipher != SMB2_CIPHER_NONE)
        tc_send_sealed(&conn, frame, total);
    else
        tc_send_raw(&conn, frame, total);
    /* nothing answers a CANCEL itself (3.3.5.16): only a short look */
    const uint8_t *last = frame + offs[count - 1];
    return drain(le64_get(last + 24), le16_get(last + 12) == SMB2_CANCEL ? 10 : 50);
}

static void run(const uint8_t *data, size_t size)
{
    size_t offs[MAX_ELEMENTS], lens[MAX_ELEMENTS], count = 0, total = 0;
    uint8_t fl[MAX_ELEMENTS];
    while (size >= 3) {
        uint8_t flags = data[0];
        size_t n = (size_t)data[1] | (size_t)data[2] << 8;
        data += 3, size -= 3;
        if (n > size)
            n = size;
        if (n > MAX_MSG)
            n = MAX_MSG;
        if (count > 0) { /* NextCommand of the previous element */
            size_t pad = ((total + 7) & ~(size_t)7) - total;
            memset(frame + total, 0, pad);
            total += pad;
            le32_put(frame + offs[count - 1] + 20, (uint32_t)(total - offs[count - 1]));
        }
        offs[count] = total;
        fl[count] = flags;
        lens[count] = element(flags, data, n, total);
        total += lens[count];
        count++;
        data += n, size -= n;
        if ((flags & F_CHAIN) && count < MAX_ELEMENTS && size >= 3)
            continue;
        /* a chained element's signature covers it up to the next one */
        for (size_t i = 0; i + 1 < count; i++)
            lens[i] = offs[i + 1] - offs[i];
        if (!send_chain(offs, lens, fl, count, total))
            return;
        count = total = 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nftw(share_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    memset(last_fid, 0, sizeof last_fid);
    last_async_id = 0;
    tc_start(&conn, conf);
    conn.shutdown_on_stop = true; /* no durable open outlives the input */
    const uint16_t d = SMB2_DIALECT_0311;
    tc_negotiate(&conn, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    if (tc_logon(&conn, TEST_USER, TEST_PASSWORD) != 0 || tc_tree_connect(&conn, "rw", true) != 0)
        abort();
    run(data, size);
    remember(data, size);
    tc_stop(&conn);
    return 0;
}
