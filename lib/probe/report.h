/* Probe results as text, JSON and CSV, written into a buffer (the library
 * never prints; the tools do). */
#ifndef SIGNET_PROBE_REPORT_H
#define SIGNET_PROBE_REPORT_H

#include "base/buf.h"
#include "probe/probe.h"

#include <signet/ntstatus.h>

/* `signet probe`: the human table. */
ntstatus_t probe_format_text(const struct probe_result *r, struct buf *out);
/* `signet probe --json`: one JSON object (with a trailing newline). */
ntstatus_t probe_format_json(const struct probe_result *r, struct buf *out);

/* `signet scan --csv`: the header line, then one row per host. */
ntstatus_t scan_format_csv_header(struct buf *out);
ntstatus_t scan_format_csv_row(const struct probe_result *r, struct buf *out);
/* `signet scan --json`: one compact object per host (no newline); the tool
 * wraps the rows in [ ... ]. */
ntstatus_t scan_format_json_row(const struct probe_result *r, struct buf *out);
/* The plain text row of `signet scan` without --csv/--json. */
ntstatus_t scan_format_text_row(const struct probe_result *r, struct buf *out);

/* Helpers, exposed for tests. */
ntstatus_t report_json_string(struct buf *out, const char *s); /* "..." escaped */
ntstatus_t report_csv_field(struct buf *out, const char *s);   /* RFC 4180 quoting */
/* FILETIME as "YYYY-MM-DDTHH:MM:SSZ" (buffer of at least 32 bytes). */
void report_filetime(uint64_t ft, char *out, size_t cap);
/* A GUID ([MS-DTYP] 2.3.4.2) as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. */
void report_guid(const uint8_t guid[16], char *out, size_t cap);

#endif
