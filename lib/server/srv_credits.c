/* Credits and the command sequence window. [MS-SMB2] 3.3.1.1 (algorithm for
 * the command sequence window), 3.3.5.2.3 (verifying the sequence number),
 * 3.3.1.2 (granting credits).
 *
 * The window is [low, low + range). A MessageId (CreditCharge ids for a
 * multi-credit request) may be used once; used ids are marked in a bitmap
 * indexed modulo SRV_MAX_CREDITS, which the window never exceeds, and low
 * advances past every used id at its bottom. */
#include "server/srv_int.h"

#include <string.h>

static bool bit_get(const struct srv_credits *c, uint64_t id)
{
    uint32_t i = (uint32_t)(id % SRV_MAX_CREDITS);
    return (c->used[i / 8] >> (i % 8)) & 1;
}

static void bit_set(struct srv_credits *c, uint64_t id, bool v)
{
    uint32_t i = (uint32_t)(id % SRV_MAX_CREDITS);
    if (v)
        c->used[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        c->used[i / 8] &= (uint8_t) ~(1u << (i % 8));
}

void srv_credits_init(struct srv_credits *c)
{
    memset(c, 0, sizeof *c);
    c->range = 1; /* MessageId 0: the NEGOTIATE (3.3.1.1) */
}

/* Use ids [message_id, message_id + charge). False: outside the window or
 * already used; the caller disconnects (3.3.5.2.3). */
bool srv_credits_consume(struct srv_credits *c, uint64_t message_id, uint16_t charge)
{
    if (charge == 0)
        charge = 1;
    if (message_id < c->low || message_id - c->low >= c->range ||
        c->range - (message_id - c->low) < charge)
        return false;
    for (uint16_t k = 0; k < charge; k++)
        if (bit_get(c, message_id + k))
            return false;
    for (uint16_t k = 0; k < charge; k++)
        bit_set(c, message_id + k, true);
    while (c->range > 0 && bit_get(c, c->low)) {
        bit_set(c, c->low, false);
        c->low++;
        c->range--;
    }
    return true;
}

/* Grant what the client asked for (at least one, so it can never starve),
 * within the window's maximum (3.3.1.2). Returns CreditResponse. */
uint16_t srv_credits_grant(struct srv_credits *c, uint16_t requested)
{
    uint32_t want = requested ? requested : 1;
    uint32_t room = SRV_MAX_CREDITS - c->range;
    uint32_t grant = want < room ? want : room;
    c->range += grant;
    return (uint16_t)grant;
}
