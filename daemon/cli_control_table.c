#include "config.h"

#include "cli_control_internal.h"

#include <stdlib.h>
#include <string.h>

/* A cut column keeps at least this many columns: narrower is unreadable,
 * and the line may as well wrap. */
#define MIN_SHRINK 12

void table_init(table *t, size_t n_cols) {
  memset(t, 0, sizeof(*t));
  t->n_cols = n_cols < TABLE_MAX_COLS ? n_cols : TABLE_MAX_COLS;
  t->shrink = -1;
}

int table_add(table *t, const char *const *cells) {
  if (t->n_rows == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    table_cell *c = realloc(t->cells, cap * t->n_cols * sizeof(*c));
    if (!c)
      return -1;
    t->cells = c;
    t->cap = cap;
  }
  table_cell *row = t->cells + t->n_rows * t->n_cols;
  for (size_t i = 0; i < t->n_cols; i++) {
    row[i].text = fmt_clean(cells[i] ? cells[i] : "", false);
    row[i].color = NULL;
    if (!row[i].text) {
      while (i-- > 0)
        free(row[i].text);
      return -1;
    }
  }
  t->n_rows++;
  return 0;
}

void table_color(table *t, size_t col, const char *color) {
  if (t->n_rows && col < t->n_cols)
    t->cells[(t->n_rows - 1) * t->n_cols + col].color = color;
}

/* Width of each column, with the shrink column narrowed to fit. */
static void column_widths(const table *t, size_t max_width, size_t *w) {
  size_t total = 0;
  for (size_t c = 0; c < t->n_cols; c++) {
    w[c] = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
      size_t cw = fmt_width(t->cells[r * t->n_cols + c].text);
      w[c] = cw > w[c] ? cw : w[c];
    }
    total += w[c] + (c ? 2 : 0);
  }
  total += t->indent;
  if (!max_width || t->shrink < 0 || total <= max_width)
    return;
  size_t s = (size_t)t->shrink, excess = total - max_width;
  size_t floor = w[s] < MIN_SHRINK ? w[s] : MIN_SHRINK;
  w[s] = w[s] > excess + floor ? w[s] - excess : floor;
}

static void print_cell(FILE *f, const table_cell *cell, size_t width,
                       bool right, bool pad, bool color) {
  char *cut = fmt_cut(cell->text, width);
  const char *text = cut ? cut : cell->text;
  size_t gap = width - fmt_width(text);
  if (right)
    fprintf(f, "%*s", (int)gap, "");
  if (color && cell->color)
    fprintf(f, "%s%s\033[0m", cell->color, text);
  else
    fputs(text, f);
  if (!right && pad)
    fprintf(f, "%*s", (int)gap, "");
  free(cut);
}

void table_print(const table *t, FILE *f, size_t max_width, bool color) {
  size_t w[TABLE_MAX_COLS];
  column_widths(t, max_width, w);
  for (size_t r = 0; r < t->n_rows; r++) {
    const table_cell *row = t->cells + r * t->n_cols;
    size_t last = t->n_cols; /* no padding after the last non-empty cell */
    while (last > 1 && !*row[last - 1].text)
      last--;
    fprintf(f, "%*s", (int)t->indent, "");
    for (size_t c = 0; c < last; c++) {
      if (c)
        fputs("  ", f);
      print_cell(f, &row[c], w[c], t->right[c], c + 1 < last, color);
    }
    fputc('\n', f);
  }
}

void table_free(table *t) {
  for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
    free(t->cells[i].text);
  free(t->cells);
  t->cells = NULL;
  t->n_rows = t->cap = 0;
}
