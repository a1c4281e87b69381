// ncursesw for Swift. SwiftPM drops pkg-config's -D flags, so the wide-character API must be
// switched on here; macros and globals that do not import in Swift 6 mode get tiny accessors.
#ifndef DEFECTLAB_CNCURSESW_SHIM_H
#define DEFECTLAB_CNCURSESW_SHIM_H
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline int cnc_lines(void) { return LINES; }
static inline int cnc_cols(void) { return COLS; }
static inline int cnc_max_y(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)x; return y; }
static inline int cnc_max_x(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)y; return x; }
static inline attr_t cnc_a_bold(void) { return A_BOLD; }
static inline attr_t cnc_a_reverse(void) { return A_REVERSE; }
static inline attr_t cnc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cnc_a_dim(void) { return A_DIM; }
static inline attr_t cnc_color_pair(short n) { return COLOR_PAIR(n); }
static inline int cnc_key_f(int n) { return KEY_F(n); }
static inline int cnc_key_resize(void) { return KEY_RESIZE; }
static inline int cnc_err(void) { return ERR; }
/// Display width of a character (2 for CJK, emoji); glibc hides wcwidth without _XOPEN_SOURCE.
extern int wcwidth(wchar_t c);
static inline int cnc_wcwidth(wchar_t c) { return wcwidth(c); }
static inline const char *cnc_version_string(void) { return curses_version(); }
/* Labelling screens (issue 5): key codes and attributes that are macros in curses.h. */
static inline int cnc_ok(void) { return OK; }
static inline int cnc_key_code_yes(void) { return KEY_CODE_YES; }
static inline int cnc_key_up(void) { return KEY_UP; }
static inline int cnc_key_down(void) { return KEY_DOWN; }
static inline int cnc_key_left(void) { return KEY_LEFT; }
static inline int cnc_key_right(void) { return KEY_RIGHT; }
static inline int cnc_key_npage(void) { return KEY_NPAGE; }
static inline int cnc_key_ppage(void) { return KEY_PPAGE; }
static inline int cnc_key_home(void) { return KEY_HOME; }
static inline int cnc_key_end(void) { return KEY_END; }
static inline int cnc_key_enter(void) { return KEY_ENTER; }
static inline int cnc_key_backspace(void) { return KEY_BACKSPACE; }
/* Key codes of our own for the bracketed-paste markers (ESC [200~ and ESC [201~), given with define_key. */
static inline int cnc_key_paste_start(void) { return KEY_MAX + 1; }
static inline int cnc_key_paste_end(void) { return KEY_MAX + 2; }
static inline attr_t cnc_a_normal(void) { return A_NORMAL; }
static inline attr_t cnc_a_standout(void) { return A_STANDOUT; }
static inline int cnc_color_pairs(void) { return COLOR_PAIRS; }
static inline int cnc_colors(void) { return COLORS; }
static inline FILE *cnc_stdout(void) { return stdout; }
static inline WINDOW *cnc_curscr(void) { return curscr; }
static inline FILE *cnc_stdin(void) { return stdin; }
/* Draws n wide characters with attributes set for just this run. */
static inline int cnc_draw_wide(WINDOW *w, int y, int x, const wchar_t *s, int n, attr_t a) {
    attr_t old_a; short old_p; wattr_get(w, &old_a, &old_p, NULL);
    wattr_set(w, a, PAIR_NUMBER(a), NULL);
    int rc = mvwaddnwstr(w, y, x, s, n);
    wattr_set(w, old_a, old_p, NULL);
    return rc;
}
#endif
