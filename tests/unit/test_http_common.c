/* Unit tests of the pure parts of the vendor plugins: the shared layer's
 * text tools (base64, percent-encoding, numbers as JavaScript and as
 * line protocol write them, JSON.stringify, UTF-8 repair, excerpts,
 * secret scrubbing), InfluxDB line protocol, and Elastic Cloud IDs and
 * certificate fingerprints. */
#include "config.h"

#include "check.h"
#include "elastic.h"
#include "line_protocol.h"
#include "vendor_http.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *b64(const char *s) {
  vh_buf b = {0};
  vh_base64(&b, s, strlen(s));
  return b.p;
}

static void test_base64(void) {
  /* RFC 4648 §10 */
  static const char *vec[][2] = {{"", ""},
                                 {"f", "Zg=="},
                                 {"fo", "Zm8="},
                                 {"foo", "Zm9v"},
                                 {"foob", "Zm9vYg=="},
                                 {"fooba", "Zm9vYmE="},
                                 {"foobar", "Zm9vYmFy"}};
  for (size_t i = 0; i < sizeof vec / sizeof *vec; i++) {
    char *e = b64(vec[i][0]);
    CHECK_STR(e, vec[i][1]);
    free(e);
    vh_buf d = {0};
    CHECK_INT(vh_base64_decode(vec[i][1], strlen(vec[i][1]), &d), 0);
    CHECK_STR(vh_buf_cstr(&d), vec[i][0]);
    vh_buf_free(&d);
  }
  vh_buf d = {0};
  CHECK_INT(vh_base64_decode("Zm9vYg", 6, &d), 0); /* padding optional */
  CHECK_STR(vh_buf_cstr(&d), "foob");
  vh_buf_free(&d);
  CHECK_INT(vh_base64_decode("Zm9v!", 5, &d), -1);
  vh_buf_free(&d);
  CHECK_INT(vh_base64_decode("Z", 1, &d), -1);
  vh_buf_free(&d);
}

static void test_url(void) {
  vh_buf b = {0};
  vh_url_encode(&b, "my org/é a~b-c.d_e", strlen("my org/é a~b-c.d_e"));
  CHECK_STR(vh_buf_cstr(&b), "my%20org%2F%C3%A9%20a~b-c.d_e");
  vh_buf_free(&b);
  vh_url u;
  CHECK_INT(vh_url_parse("https://user:pw@example.com/a/b?q=1", &u), 0);
  CHECK_STR(u.host, "example.com");
  CHECK_STR(u.hostport, "example.com:443");
  CHECK_INT(vh_url_parse("http://127.0.0.1:8086", &u), 0);
  CHECK_STR(u.host, "127.0.0.1:8086");
  CHECK_INT(vh_url_parse("ftp://example.com/", &u), -1);
  CHECK_INT(vh_url_parse("example.com/x", &u), -1);
  CHECK_INT(vh_url_parse("", &u), -1);
}

static void check_num(double d, const char *js, const char *plain) {
  vh_buf a = {0}, b = {0};
  vh_js_number(&a, d);
  vh_plain_number(&b, d);
  CHECK_STR(vh_buf_cstr(&a), js);
  CHECK_STR(vh_buf_cstr(&b), plain);
  vh_buf_free(&a);
  vh_buf_free(&b);
}

static void test_numbers(void) {
  check_num(51, "51", "51");
  check_num(0.1, "0.1", "0.1");
  check_num(-2.5, "-2.5", "-2.5");
  check_num(1e21, "1e+21", "1000000000000000000000");
  check_num(1e20, "100000000000000000000", "100000000000000000000");
  check_num(1.5e-7, "1.5e-7", "0.00000015");
  check_num(0.000001, "0.000001", "0.000001");
  check_num(-0.0, "0", "0");
  check_num(1.0 / 3, "0.3333333333333333", "0.3333333333333333");
  check_num(123456789012345680000.0, "123456789012345680000",
            "123456789012345680000");
  char tiny[400] = "0."; /* 5e-324: 323 zeros after the point */
  memset(tiny + 2, '0', 323);
  strcpy(tiny + 325, "5");
  check_num(5e-324, "5e-324", tiny);
  /* Shortest digits read back exactly, for a spread of values. */
  srand(7);
  for (int i = 0; i < 2000; i++) {
    double d = ldexp((double)rand() / RAND_MAX, rand() % 200 - 100);
    vh_buf a = {0};
    vh_plain_number(&a, d);
    CHECK(strtod(vh_buf_cstr(&a), NULL) == d);
    CHECK(!strchr(vh_buf_cstr(&a), 'e'));
    vh_buf_free(&a);
  }
}

static void test_stringify(void) {
  json_t *v = json_loads(
      "{\"s\":\"a\\\"b\\\\c\\n\\u0001é\",\"n\":0.1,\"i\":3,\"big\":1e21,"
      "\"a\":[true,false,null,{}],\"o\":{\"k\":\"/\"}}",
      0, NULL);
  vh_buf b = {0};
  vh_json_stringify(&b, v);
  CHECK_STR(vh_buf_cstr(&b),
            "{\"s\":\"a\\\"b\\\\c\\n\\u0001é\",\"n\":0.1,\"i\":3,\"big\":1e+21,"
            "\"a\":[true,false,null,{}],\"o\":{\"k\":\"/\"}}");
  vh_buf_free(&b);
  vh_js_string(&b, json_object_get(v, "a"));
  CHECK_STR(vh_buf_cstr(&b), "true,false,,[object Object]");
  vh_buf_free(&b);
  json_decref(v);
}

static void test_utf8(void) {
  static const char in[] =
      "ok \xff\xfe end \xe2\x82 x \xed\xa0\x80 \xf0\x9f\x98\x80";
  json_t *j = vh_utf8_string(in, sizeof in - 1);
  CHECK_STR(json_string_value(j),
            "ok \xef\xbf\xbd\xef\xbf\xbd end \xef\xbf\xbd x "
            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x98\x80");
  json_decref(j);
}

static void test_excerpt(void) {
  vh_buf b = {0};
  vh_excerpt(&b, "  a\r\n\tb   c  ", 13, 300);
  CHECK_STR(vh_buf_cstr(&b), "a b c");
  vh_buf_free(&b);
  vh_excerpt(&b, "abcdéf", 7, 5); /* never splits a character */
  CHECK_STR(vh_buf_cstr(&b), "abcd\xe2\x80\xa6");
  vh_buf_free(&b);
}

static void test_scrub(void) {
  vh_call c = {0};
  vh_secret(&c, "s3cr3t/tok", 10);
  vh_secret(&c, "ab", 2); /* too short to scrub */
  char *enc = b64("s3cr3t/tok");
  char text[200];
  snprintf(text, sizeof text, "bad s3cr3t/tok, %s and s3cr3t%%2Ftok ab", enc);
  char *out = vh_scrub(&c, text);
  CHECK_STR(out, "bad ***, *** and *** ab");
  free(out);
  free(enc);
  vh_call_done(&c);
}

static void test_line_protocol(void) {
  json_t *data = json_loads("{\"count\":3,\"avg latency\":12.5,\"ok\":true,"
                            "\"svc\":{\"name\":\"a\\\"b\"},\"x\":null}",
                            0, NULL);
  json_t *tags = json_loads("{\"node\":\"n 1\",\"env\":\"prod\"}", 0, NULL);
  vh_buf b = {0};
  CHECK_INT(lp_point(&b, "HTTP stats", 10, data, tags, 1714564800000000000LL),
            LP_OK);
  CHECK_STR(vh_buf_cstr(&b), "HTTP\\ stats,env=prod,node=n\\ 1 avg\\ "
                             "latency=12.5,count=3,ok=true,svc.name=\"a\\\"b\""
                             " 1714564800000000000\n");
  vh_buf_free(&b);
  json_decref(data);
  json_decref(tags);

  data = json_loads("{\"k\\\\\":\"trail\\\\\",\"a=b\":1,\"t\\tab\":\"x\\ny\"}",
                    0, NULL);
  tags = json_loads("{\"t\":\"v\\\\\",\"e\":\"\",\"n\":null,\"b\":false}", 0,
                    NULL);
  CHECK_INT(lp_point(&b, "m,1\\", 4, data, tags, 1), LP_OK);
  CHECK_STR(vh_buf_cstr(&b),
            "m\\,1\\ ,b=false,t=v\\  a\\=b=1,k\\ =\"trail\\\\\","
            "t\\ ab=\"x y\" 1\n");
  vh_buf_free(&b);
  json_decref(data);
  json_decref(tags);

  data = json_loads("{\"a\":null,\"b\":[1],\"c\":{}}", 0, NULL);
  CHECK_INT(lp_point(&b, "m", 1, data, NULL, 1), LP_NO_FIELDS);
  vh_buf_free(&b);
  json_decref(data);
}

static void test_cloud_id(void) {
  vh_buf b = {0};
  CHECK_INT(elastic_cloud_base("my-deploy:dXMtZWFzdDEuZ2NwLmVsYXN0aWMtY2xvdWQu"
                               "Y29tJGFiYzEyMyRkZWY0NTY=",
                               &b),
            0);
  CHECK_STR(vh_buf_cstr(&b), "https://abc123.us-east1.gcp.elastic-cloud.com");
  vh_buf_free(&b);
  char *port = b64("example.com:9243$es1$kb1");
  CHECK_INT(elastic_cloud_base(port, &b), 0); /* no label */
  CHECK_STR(vh_buf_cstr(&b), "https://es1.example.com:9243");
  vh_buf_free(&b);
  free(port);
  const char *bad[] = {"x:!!", "x:aG9zdG9ubHk=" /* "hostonly" */,
                       "x:JGVz" /* "$es" */};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK_INT(elastic_cloud_base(bad[i], &b), -1);
    vh_buf_free(&b);
  }
  char *evil = b64("evil.com/x?$es");
  CHECK_INT(elastic_cloud_base(evil, &b), -1);
  vh_buf_free(&b);
  free(evil);
}

static void test_fingerprint(void) {
  elastic_pin p;
  const char *hex =
      "A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:A1:B2:C3:D4:E5:F6:07:"
      "18:29:3A:4B:5C:6D:7E:8F:90";
  CHECK_INT(elastic_pin_parse(hex, &p), 0);
  CHECK_INT(p.sha256[0], 0xA1);
  CHECK_INT(p.sha256[31], 0x90);
  CHECK_INT(elastic_pin_parse("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607"
                              "18293a4b5c6d7e8f90",
                              &p),
            0);
  CHECK_INT(elastic_pin_parse("a1b2", &p), -1);
  CHECK_INT(elastic_pin_parse("g1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607"
                              "18293a4b5c6d7e8f90",
                              &p),
            -1);
  CHECK_INT(elastic_pin_parse("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607"
                              "18293a4b5c6d7e8f9000",
                              &p),
            -1);
}

int main(void) {
  test_base64();
  test_url();
  test_numbers();
  test_stringify();
  test_utf8();
  test_excerpt();
  test_scrub();
  test_line_protocol();
  test_cloud_id();
  test_fingerprint();
  return CHECK_DONE();
}
