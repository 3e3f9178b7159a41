/* `signet user add|passwd|del|list [NAME] [--db FILE]`: the user database
 * signetd checks NTLM logons against (lib/auth/userdb.h: NAME:NTHASH lines,
 * mode 0600, never a password). argv[0] is the command name ("user").
 * Without --db, the `user database` of signet.conf (--config FILE, default
 * /etc/signet/signet.conf) is used. Passwords come from SIGNET_PASSWORD or
 * are prompted for twice on the terminal without echo.
 * Exit status: 0 success, 1 failure, 2 usage error. */
#include "auth/userdb.h"
#include "base/mem.h"
#include "config/config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <signet/client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int signet_user_main(int argc, char **argv);

struct user_cli {
    const char *db;
    const char *config;
    const char *action;
    const char *name;
    char db_from_config[PATH_MAX];
};

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: signet user add NAME [--db FILE]      add a user (password asked twice)\n"
            "       signet user passwd NAME [--db FILE]   change a user's password\n"
            "       signet user del NAME [--db FILE]      delete a user\n"
            "       signet user list [--db FILE]          print the user names, one a line\n"
            "\n"
            "Manages the user database signetd checks logons against: one NAME:NTHASH line\n"
            "per user (the NT hash, never the password), mode 0600, replaced atomically.\n"
            "\n"
            "Options:\n"
            "  --db FILE       the user database (default: 'user database' in [global] of\n"
            "                  the configuration file)\n"
            "  --config FILE   the configuration file (default " SIGNET_CLIENT_DEFAULT_CONFIG ")\n"
            "  -h, --help      this help\n"
            "\n"
            "The password is read from SIGNET_PASSWORD, else prompted for twice on the\n"
            "terminal. A running signetd reads the database again on reload\n"
            "(systemctl reload signetd, or kill -HUP its pid).\n"
            "Exit status: 0 on success, 1 on failure, 2 on a usage error.\n");
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct user_cli *u)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"config", required_argument, NULL, 'c'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 0; /* GNU: full reinitialisation, argv[0] is the command name */
    for (int ch; (ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1;) {
        if (ch == 'd')
            u->db = optarg;
        else if (ch == 'c')
            u->config = optarg;
        else {
            usage(ch == 'h' ? stdout : stderr);
            return ch == 'h' ? 0 : 2;
        }
    }
    int n = argc - optind;
    u->action = n > 0 ? argv[optind] : NULL;
    u->name = n > 1 ? argv[optind + 1] : NULL;
    bool is_list = u->action && !strcmp(u->action, "list");
    if (!u->action || n != (is_list ? 1 : 2)) {
        usage(stderr);
        return 2;
    }
    return -1;
}

/* --db, else `user database` of the configuration file. */
static int find_db(struct user_cli *u)
{
    if (u->db)
        return -1;
    const char *path = u->config ? u->config : SIGNET_CLIENT_DEFAULT_CONFIG;
    struct cfg *c = malloc(sizeof *c);
    char err[512];
    if (!c)
        return 1;
    cfg_defaults(c);
    bool loaded = nt_ok(cfg_load_file(path, c, err, sizeof err));
    if (loaded)
        snprintf(u->db_from_config, sizeof u->db_from_config, "%s", c->server.user_database);
    free(c);
    if (!loaded && (u->config || access(path, F_OK) == 0)) {
        fprintf(stderr, "signet user: %s\n", err);
        return 1;
    }
    if (!u->db_from_config[0]) {
        fprintf(stderr,
                "signet user: which user database? Pass --db FILE, or set 'user database = "
                "FILE' in [global] of %s\n",
                path);
        return 2;
    }
    u->db = u->db_from_config;
    return -1;
}

/* ---- the password ---- */

static struct termios saved_tty;
static volatile sig_atomic_t saved_fd = -1;

static void restore_echo_and_die(int sig)
{
    if (saved_fd >= 0)
        tcsetattr(saved_fd, TCSAFLUSH, &saved_tty);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void echo_off(int fd)
{
    struct termios quiet;
    if (tcgetattr(fd, &saved_tty) != 0)
        return;
    quiet = saved_tty;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    saved_fd = fd;
    signal(SIGINT, restore_echo_and_die);
    signal(SIGTERM, restore_echo_and_die);
    signal(SIGTSTP, SIG_IGN);
    tcsetattr(fd, TCSAFLUSH, &quiet);
}

static void echo_on(void)
{
    if (saved_fd < 0)
        return;
    tcsetattr(saved_fd, TCSAFLUSH, &saved_tty);
    saved_fd = -1;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGTSTP, SIG_DFL);
}

/* One line from the terminal without echo; false at end of input or when
 * the line does not fit. */
static bool prompt_line(FILE *tty, const char *prompt, char *out, size_t cap)
{
    fputs(prompt, tty);
    fflush(tty);
    echo_off(fileno(tty));
    char *got = fgets(out, (int)cap, tty);
    echo_on();
    fputc('\n', tty);
    fflush(tty);
    if (!got)
        return false;
    size_t n = strcspn(out, "\r\n");
    if (!out[n] && n == cap - 1)
        return false; /* longer than a password may be */
    out[n] = '\0';
    return true;
}

static int prompt_password(const char *name, char *pw, size_t cap)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty) {
        fprintf(stderr, "signet user: no password: set SIGNET_PASSWORD, or run this on a "
                        "terminal to be asked for it\n");
        return 1;
    }
    char again[USERDB_PASSWORD_MAX + 2], prompt[160];
    snprintf(prompt, sizeof prompt, "New password for %s: ", name);
    bool ok = prompt_line(tty, prompt, pw, cap);
    snprintf(prompt, sizeof prompt, "Retype the password for %s: ", name);
    ok = ok && (!pw[0] || prompt_line(tty, prompt, again, sizeof again)); /* "" is refused */
    fclose(tty);
    int rc = -1;
    if (!ok) {
        fprintf(stderr,
                "signet user: no password read (end of input, or longer than %d "
                "bytes); nothing changed\n",
                USERDB_PASSWORD_MAX);
        rc = 1;
    } else if (pw[0] && strcmp(pw, again) != 0) {
        fprintf(stderr, "signet user: the two passwords differ; nothing changed, try again\n");
        rc = 1;
    }
    secure_zero(again, sizeof again);
    return rc;
}

static int get_password(const char *name, char *pw, size_t cap)
{
    const char *env = getenv("SIGNET_PASSWORD");
    int rc = -1;
    if (env && strlen(env) >= cap) {
        fprintf(stderr, "signet user: SIGNET_PASSWORD is longer than %d bytes\n",
                USERDB_PASSWORD_MAX);
        return 1;
    }
    if (env)
        memcpy(pw, env, strlen(env) + 1);
    else
        rc = prompt_password(name, pw, cap);
    if (rc < 0 && !pw[0]) {
        fprintf(stderr, "signet user: an empty password is refused; nothing changed\n");
        rc = 1;
    }
    return rc;
}

/* ---- the actions ---- */

/* Whether name is in the database (a missing file has no users).
 * Returns -1 to go on, else the exit status. */
static int lookup(const struct user_cli *u, bool *found, bool *file_exists)
{
    struct userdb *db = NULL;
    char msg[512];
    uint8_t hash[16];
    ntstatus_t st = userdb_load(u->db, &db, msg, sizeof msg);
    *file_exists = !nt_eq(st, STATUS_OBJECT_NAME_NOT_FOUND);
    *found = false;
    if (!nt_ok(st) && *file_exists) {
        fprintf(stderr, "signet user: %s\n", msg);
        return 1;
    }
    if (nt_ok(st)) {
        *found = nt_ok(userdb_lookup(db, u->name, hash));
        secure_zero(hash, sizeof hash);
        userdb_free(db);
    }
    return -1;
}

static int set_password(const struct user_cli *u, bool adding)
{
    if (!userdb_name_valid(u->name)) {
        fprintf(stderr,
                "signet user: invalid user name \"%s\": 1 to %d characters, no ':' or control "
                "characters, no spaces at either end\n",
                u->name, USERDB_NAME_MAX);
        return 2;
    }
    bool found, exists;
    int rc = lookup(u, &found, &exists);
    if (rc >= 0)
        return rc;
    if (adding && found) {
        fprintf(stderr,
                "signet user: \"%s\" already exists in %s; to change the password: signet user "
                "passwd %s --db %s\n",
                u->name, u->db, u->name, u->db);
        return 1;
    }
    if (!adding && !found) {
        fprintf(stderr,
                "signet user: no user \"%s\" in %s; to create it: signet user add %s --db %s\n",
                u->name, u->db, u->name, u->db);
        return 1;
    }
    char pw[USERDB_PASSWORD_MAX + 2] = "";
    char msg[512];
    rc = get_password(u->name, pw, sizeof pw);
    ntstatus_t st = STATUS_SUCCESS;
    if (rc < 0)
        st = userdb_set_password(u->db, u->name, pw, NULL, msg, sizeof msg);
    secure_zero(pw, sizeof pw);
    if (rc >= 0)
        return rc;
    if (!nt_ok(st)) {
        fprintf(stderr, "signet user: %s\n", msg);
        return 1;
    }
    if (adding)
        printf("added user \"%s\" to %s\n", u->name, u->db);
    else
        printf("changed the password of \"%s\" in %s\n", u->name, u->db);
    printf("signetd reads it on reload: systemctl reload signetd, or kill -HUP its pid\n");
    return 0;
}

static int delete_user(const struct user_cli *u)
{
    char msg[512];
    ntstatus_t st = userdb_delete(u->db, u->name, msg, sizeof msg);
    if (nt_eq(st, STATUS_NOT_FOUND)) {
        fprintf(stderr, "signet user: %s; 'signet user list --db %s' shows who is there\n", msg,
                u->db);
        return 1;
    }
    if (!nt_ok(st)) {
        fprintf(stderr, "signet user: %s\n", msg);
        return 1;
    }
    printf("deleted user \"%s\" from %s\n", u->name, u->db);
    printf("signetd forgets it on reload: systemctl reload signetd, or kill -HUP its pid\n");
    return 0;
}

static int list_users(const struct user_cli *u)
{
    struct userdb *db = NULL;
    char msg[512];
    ntstatus_t st = userdb_load(u->db, &db, msg, sizeof msg);
    if (nt_eq(st, STATUS_OBJECT_NAME_NOT_FOUND)) {
        fprintf(stderr,
                "signet user: %s does not exist; create it with: signet user add NAME --db %s\n",
                u->db, u->db);
        return 1;
    }
    if (!nt_ok(st)) {
        fprintf(stderr, "signet user: %s\n", msg);
        return 1;
    }
    for (size_t i = 0; i < userdb_count(db); i++)
        printf("%s\n", userdb_name(db, i));
    userdb_free(db);
    return 0;
}

int signet_user_main(int argc, char **argv)
{
    struct user_cli u = {0};
    int rc = parse_args(argc, argv, &u);
    if (rc >= 0)
        return rc;
    bool known = false;
    static const char *const actions[] = {"add", "passwd", "del", "list"};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        known |= !strcmp(u.action, actions[i]);
    if (!known) {
        fprintf(stderr,
                "signet user: unknown action '%s'; expected add, passwd, del or list "
                "(signet user --help)\n",
                u.action);
        return 2;
    }
    rc = find_db(&u);
    if (rc >= 0)
        return rc;
    if (!strcmp(u.action, "list"))
        return list_users(&u);
    if (!strcmp(u.action, "del"))
        return delete_user(&u);
    return set_password(&u, !strcmp(u.action, "add"));
}
