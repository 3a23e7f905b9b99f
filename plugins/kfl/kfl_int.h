/* KFL engine internals: tokens, the syntax tree, regexes and values. */
#ifndef WH_KFL_INT_H
#define WH_KFL_INT_H

#include "kfl.h"

#define KFL_MAX_DEPTH 200

#if defined(__GNUC__)
#define WH_KFL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define WH_KFL_PRINTF(f, a)
#endif

/* ---- tokens (kfl_lex.c) ---- */
typedef enum {
  T_EOF,
  T_IDENT,
  T_INT,
  T_FLOAT,
  T_STRING,
  T_CHAR,
  T_RAW,
  T_PUNCT
} kfl_tok_type;

typedef struct {
  kfl_tok_type type;
  int line, col;
  const char *src; /* borrowed; raw source of the token */
  size_t srclen;
  char *str; /* owned: ident name, decoded string, or punct char */
  size_t strlen;
  char *raw; /* owned for strings: inner text, only \" / \' unescaped */
  int64_t i;
  double f;
} kfl_tok;

typedef struct {
  kfl_tok *v;
  size_t n, cap;
} kfl_toks;

/* Lexes text; returns 0, or -1 with "line:col: msg" in err. */
int kfl_lex(const char *text, kfl_toks *out, char *err, size_t errcap);
void kfl_toks_free(kfl_toks *t);
/* Replaces macro identifiers by their expansions (kfl_macro.c). */
int kfl_macro_expand(kfl_toks *t, char *err, size_t errcap);

/* ---- regexes (kfl_regex.c) ---- */
typedef struct kfl_regex kfl_regex;
kfl_regex *kfl_regex_compile(const char *pat, char *msg, size_t cap);
/* 1 match, 0 no match (or a limit was hit). */
int kfl_regex_search(const kfl_regex *re, const char *s, size_t len);
void kfl_regex_free(kfl_regex *re);

/* ---- syntax tree (kfl_parse.c) ---- */
typedef enum {
  N_TRUE,
  N_FALSE,
  N_NIL,
  N_INT,
  N_FLOAT,
  N_STR,
  N_REGEX,
  N_AND,
  N_OR,
  N_EQ,
  N_NE,
  N_LT,
  N_LE,
  N_GT,
  N_GE,
  N_NOT,
  N_NEG,
  N_GROUP,
  N_CALL
} kfl_ntype;

typedef enum { SEG_KEY, SEG_WILD } kfl_segtype;
typedef struct {
  kfl_segtype type;
  char *key; /* SEG_KEY */
} kfl_seg;

typedef struct kfl_node kfl_node;
struct kfl_node {
  kfl_ntype type;
  kfl_node *a, *b; /* operands; a of N_GROUP/N_NOT/N_NEG */
  int64_t i;
  double f;
  char *s; /* N_STR (s, slen) */
  size_t slen;
  kfl_regex *re; /* N_REGEX */
  /* N_CALL */
  kfl_seg *segs;
  size_t nsegs;
  char *helper;    /* NULL: plain lookup */
  kfl_node **args; /* helper arguments */
  size_t nargs;
  bool has_index;
  int64_t index;
  bool has_key;
  bool key_wild; /* ["*"] written as [*] */
  char *key;
  char *rdesc;   /* ..name */
  kfl_node *sub; /* greedy sub-query */
};

/* ---- needles (kfl_needles.c) ---- */
#define KFL_NEEDLES_MAX 8
typedef struct kfl_needles {
  char *s[KFL_NEEDLES_MAX];
  size_t len[KFL_NEEDLES_MAX];
  size_t n;
} kfl_needles;
/* Texts every matching item's stored JSON line contains. */
void kfl_needles_collect(const kfl_node *root, kfl_needles *nd);
bool kfl_needles_found(const kfl_needles *nd, const char *text, size_t len);
void kfl_needles_free(kfl_needles *nd);

struct kfl_query {
  kfl_node *root; /* NULL: empty query (true) */
  kfl_needles needles;
  long limit;
  bool rewrites; /* has redact(): evaluation changes the record */
};

kfl_node *kfl_parse(kfl_toks *t, char *err, size_t errcap);
void kfl_node_free(kfl_node *n);

/* ---- values (kfl_value.c) ---- */
bool kfl_truthy(const json_t *v);
/* String form (§4); malloc'd. */
char *kfl_strform(const json_t *v);
void kfl_fmt_double(double d, char *buf, size_t cap);
/* Compares two values; op is N_EQ..N_GE. */
bool kfl_compare(kfl_ntype op, const json_t *a, const kfl_regex *ra,
                 const json_t *b, const kfl_regex *rb);

/* ---- helpers (kfl_helpers.c, kfl_xml.c, kfl_redact.c) ---- */
int64_t kfl_datetime(const char *s, bool *ok);
/* Decodes standard base64 if s is entirely valid base64; malloc'd or NULL. */
unsigned char *kfl_base64_decode(const char *s, size_t len, size_t *outlen);
char *kfl_base64_encode(const unsigned char *s, size_t len);
json_t *kfl_xml_parse(const char *s, size_t len);
/* Applies one redact path ("a.b", "..name", "a.*", "body.json().x") to v. */
void kfl_redact_path(json_t *v, const char *path);

#endif
