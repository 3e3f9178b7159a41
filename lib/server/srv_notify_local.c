/* Changes made by local processes, for CHANGE_NOTIFY (srv_notify.c). */
#include "server/srv_int.h"

void srv_notify_local_watch(struct srv *s, struct srv_open *o)
{
    (void)s;
    (void)o;
}

void srv_notify_local_close(struct srv *s)
{
    (void)s;
}
