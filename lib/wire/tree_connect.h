/* SMB2 TREE_CONNECT. [MS-SMB2] 2.2.9 (request), 2.2.10 (response). */
#ifndef SIGNET_WIRE_TREE_CONNECT_H
#define SIGNET_WIRE_TREE_CONNECT_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdint.h>

/* 2.2.9 Flags (3.1.1; Reserved before) */
#define SMB2_TREE_CONNECT_FLAG_CLUSTER_RECONNECT 0x0001
#define SMB2_TREE_CONNECT_FLAG_REDIRECT_TO_OWNER 0x0002
#define SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT 0x0004

/* 2.2.10 ShareType */
#define SMB2_SHARE_TYPE_DISK  0x01
#define SMB2_SHARE_TYPE_PIPE  0x02
#define SMB2_SHARE_TYPE_PRINT 0x03

/* 2.2.10 ShareFlags */
#define SMB2_SHAREFLAG_MANUAL_CACHING              0x00000000u
#define SMB2_SHAREFLAG_DFS                         0x00000001u
#define SMB2_SHAREFLAG_DFS_ROOT                    0x00000002u
#define SMB2_SHAREFLAG_AUTO_CACHING                0x00000010u
#define SMB2_SHAREFLAG_VDO_CACHING                 0x00000020u
#define SMB2_SHAREFLAG_NO_CACHING                  0x00000030u
#define SMB2_SHAREFLAG_CACHING_MASK                0x00000030u
#define SMB2_SHAREFLAG_RESTRICT_EXCLUSIVE_OPENS    0x00000100u
#define SMB2_SHAREFLAG_FORCE_SHARED_DELETE         0x00000200u
#define SMB2_SHAREFLAG_ALLOW_NAMESPACE_CACHING     0x00000400u
#define SMB2_SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM 0x00000800u
#define SMB2_SHAREFLAG_FORCE_LEVELII_OPLOCK        0x00001000u
#define SMB2_SHAREFLAG_ENABLE_HASH_V1              0x00002000u
#define SMB2_SHAREFLAG_ENABLE_HASH_V2              0x00004000u
#define SMB2_SHAREFLAG_ENCRYPT_DATA                0x00008000u
#define SMB2_SHAREFLAG_IDENTITY_REMOTING           0x00040000u
#define SMB2_SHAREFLAG_COMPRESS_DATA               0x00100000u
#define SMB2_SHAREFLAG_ISOLATED_TRANSPORT          0x00200000u

/* 2.2.10 Capabilities */
#define SMB2_SHARE_CAP_DFS                     0x00000008u
#define SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY 0x00000010u
#define SMB2_SHARE_CAP_SCALEOUT                0x00000020u
#define SMB2_SHARE_CAP_CLUSTER                 0x00000040u
#define SMB2_SHARE_CAP_ASYMMETRIC              0x00000080u
#define SMB2_SHARE_CAP_REDIRECT_TO_OWNER       0x00000100u

/* [MS-SMB2] 2.2.9 SMB2 TREE_CONNECT Request. path is the UTF-16LE share path
 * ("\\server\share"), pointing into the message, path_length bytes (even).
 * The 3.1.1 TREE_CONNECT_Request_Extension (2.2.9.1, remoted identity and
 * tree connect contexts) is not supported: with
 * SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT set the decoder still validates the
 * message and fills *out, then returns STATUS_NOT_SUPPORTED (a server answers
 * the request with that error). Callers on a pre-3.1.1 connection, where
 * Flags is Reserved, should treat the flags as 0. */
struct smb2_tree_connect_req {
    uint16_t flags;
    const uint8_t *path;
    uint16_t path_length;
};

/* [MS-SMB2] 2.2.10 SMB2 TREE_CONNECT Response */
struct smb2_tree_connect_rsp {
    uint8_t share_type;
    uint32_t share_flags;
    uint32_t capabilities;
    uint32_t maximal_access;
};

ntstatus_t smb2_tree_connect_req_decode(const uint8_t *msg, size_t msg_len,
                                        struct smb2_tree_connect_req *out);
/* Refuses SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT (STATUS_NOT_SUPPORTED). */
ntstatus_t smb2_tree_connect_req_encode(struct wr *w, const struct smb2_tree_connect_req *in);
ntstatus_t smb2_tree_connect_rsp_decode(const uint8_t *msg, size_t msg_len,
                                        struct smb2_tree_connect_rsp *out);
ntstatus_t smb2_tree_connect_rsp_encode(struct wr *w, const struct smb2_tree_connect_rsp *in);

#endif
