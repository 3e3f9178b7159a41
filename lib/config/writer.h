/* Editing signet.conf without losing anything a person wrote in it: `signet
 * config set` changes one key and keeps every comment, blank line, key
 * spelling, indentation, inline comment and line ending byte for byte.
 *
 * The edit is pure (text in, text out) and reads lines as inih does for the
 * loader: '#' and ';' start a comment line, "[name]" a section, "key = value"
 * (or "key: value") a key, and " ;" starts an inline comment. Key names match
 * as Samba's do (case, spaces and underscores ignored); section names match
 * ignoring case, as the loader's.
 *
 *   - every line of the section that sets the key gets the new value (the
 *     last one is the one in effect; earlier duplicates would only mislead);
 *   - else the key is added after the last key line of the last such section,
 *     indented like its neighbours;
 *   - else "[section]" and the key are appended at the end of the file.
 *
 * The result is loaded with the same parser as signetd and signet
 * (cfg_load_string) and refused if it does not load, so an invalid value
 * never reaches the file. cfg_edit_file adds the atomic write. */
#ifndef SIGNET_CONFIG_WRITER_H
#define SIGNET_CONFIG_WRITER_H

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>

#define CFG_EDIT_VALUE_MAX 256

enum cfg_edit_how { CFG_EDIT_REPLACED, CFG_EDIT_APPENDED, CFG_EDIT_NEW_SECTION };

struct cfg_edit {
    char *text; /* the new text, NUL-terminated (malloc'd; cfg_edit_free) */
    size_t len;
    enum cfg_edit_how how;
    bool had_key;                       /* the key was set before */
    char old_value[CFG_EDIT_VALUE_MAX]; /* its value in effect before ("" if not set) */
    bool changed;                       /* text differs from the input */
    bool invalid;                       /* refused: the result would not load */
};

/* Samba's parameter-name comparison: case, spaces and underscores ignored. */
bool cfg_key_eq(const char *a, const char *b);

/* Set key = value in [section] of text (name is used in messages). On
 * success out->text holds the new text. On error nothing is allocated, err
 * says why (for an invalid value, the loader's message naming the key and
 * the values expected; out->invalid is set) and the status is
 * STATUS_INVALID_PARAMETER. */
ntstatus_t cfg_edit_text(const char *name, const char *text, const char *section, const char *key,
                         const char *value, struct cfg_edit *out, char *err, size_t err_len);
void cfg_edit_free(struct cfg_edit *e);

/* Replace path's contents atomically: a temporary file in the same
 * directory with the old file's mode and owner (0644 for a new file), fsync,
 * loaded with cfg_load_file to prove it is valid, renamed over path, then
 * the directory fsync'd. A symbolic link is followed: its target is
 * replaced. On any failure path is untouched and no temporary file is left. */
ntstatus_t cfg_write_file(const char *path, const char *text, size_t len, char *err,
                          size_t err_len);

/* Read path (a missing file is empty text, and is created), cfg_edit_text,
 * and cfg_write_file when the text changed; all under an exclusive flock of
 * the containing directory, so two concurrent edits do not lose one. */
ntstatus_t cfg_edit_file(const char *path, const char *section, const char *key, const char *value,
                         struct cfg_edit *out, char *err, size_t err_len);

#endif
