/* Mnemonics of item-model.md §8: record types, classes, opcodes, rcodes
 * and EDNS option codes, with numeric fallbacks for the rest. */
#include "config.h"

#include <stdio.h>

#include "dissect/dns_int.h"

typedef struct code_name {
  uint16_t code;
  const char *name;
} code_name;

/* IANA "Resource Record (RR) TYPEs" (255 is shown as ANY, as dig does). */
static const code_name types[] = {
    {1, "A"},          {2, "NS"},        {3, "MD"},          {4, "MF"},
    {5, "CNAME"},      {6, "SOA"},       {7, "MB"},          {8, "MG"},
    {9, "MR"},         {10, "NULL"},     {11, "WKS"},        {12, "PTR"},
    {13, "HINFO"},     {14, "MINFO"},    {15, "MX"},         {16, "TXT"},
    {17, "RP"},        {18, "AFSDB"},    {19, "X25"},        {20, "ISDN"},
    {21, "RT"},        {22, "NSAP"},     {23, "NSAP-PTR"},   {24, "SIG"},
    {25, "KEY"},       {26, "PX"},       {27, "GPOS"},       {28, "AAAA"},
    {29, "LOC"},       {30, "NXT"},      {31, "EID"},        {32, "NIMLOC"},
    {33, "SRV"},       {34, "ATMA"},     {35, "NAPTR"},      {36, "KX"},
    {37, "CERT"},      {38, "A6"},       {39, "DNAME"},      {40, "SINK"},
    {41, "OPT"},       {42, "APL"},      {43, "DS"},         {44, "SSHFP"},
    {45, "IPSECKEY"},  {46, "RRSIG"},    {47, "NSEC"},       {48, "DNSKEY"},
    {49, "DHCID"},     {50, "NSEC3"},    {51, "NSEC3PARAM"}, {52, "TLSA"},
    {53, "SMIMEA"},    {55, "HIP"},      {56, "NINFO"},      {57, "RKEY"},
    {58, "TALINK"},    {59, "CDS"},      {60, "CDNSKEY"},    {61, "OPENPGPKEY"},
    {62, "CSYNC"},     {63, "ZONEMD"},   {64, "SVCB"},       {65, "HTTPS"},
    {66, "DSYNC"},     {99, "SPF"},      {100, "UINFO"},     {101, "UID"},
    {102, "GID"},      {103, "UNSPEC"},  {104, "NID"},       {105, "L32"},
    {106, "L64"},      {107, "LP"},      {108, "EUI48"},     {109, "EUI64"},
    {128, "NXNAME"},   {249, "TKEY"},    {250, "TSIG"},      {251, "IXFR"},
    {252, "AXFR"},     {253, "MAILB"},   {254, "MAILA"},     {255, "ANY"},
    {256, "URI"},      {257, "CAA"},     {258, "AVC"},       {259, "DOA"},
    {260, "AMTRELAY"}, {261, "RESINFO"}, {262, "WALLET"},    {263, "CLA"},
    {264, "IPN"},      {32768, "TA"},    {32769, "DLV"},
};

static const code_name classes[] = {
    {1, "IN"}, {2, "CS"}, {3, "CH"}, {4, "HS"}, {254, "NONE"}, {255, "Any"},
};

static const code_name opcodes[] = {
    {0, "Query"}, {1, "IQuery"}, {2, "Status"}, {4, "Notify"}, {5, "Update"},
};

static const code_name rcodes[] = {
    {0, "No Error"},
    {1, "Format Error"},
    {2, "Server Failure"},
    {3, "Non-Existent Domain"},
    {4, "Not Implemented"},
    {5, "Query Refused"},
    {6, "Name Exists when it should not"},
    {7, "RR Set Exists when it should not"},
    {8, "RR Set that should exist does not"},
    {9, "Server Not Authoritative for zone"},
    {10, "Name not contained in zone"},
};

/* IANA "DNS EDNS0 Option Codes (OPT)". */
static const code_name options[] = {
    {1, "LLQ"},
    {2, "UL"},
    {3, "NSID"},
    {5, "DAU"},
    {6, "DHU"},
    {7, "N3U"},
    {8, "edns-client-subnet"},
    {9, "EDNS EXPIRE"},
    {10, "COOKIE"},
    {11, "edns-tcp-keepalive"},
    {12, "Padding"},
    {13, "CHAIN"},
    {14, "edns-key-tag"},
    {15, "Extended DNS Error"},
    {16, "EDNS-Client-Tag"},
    {17, "EDNS-Server-Tag"},
    {18, "Report-Channel"},
    {19, "ZONEVERSION"},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const code_name *t, size_t n, unsigned code,
                          const char *prefix, char buf[16]) {
  for (size_t i = 0; i < n; i++)
    if (t[i].code == code)
      return t[i].name;
  snprintf(buf, 16, "%s%u", prefix, code);
  return buf;
}

const char *dns_type_str(uint16_t type, char buf[16]) {
  return lookup(types, N(types), type, "TYPE", buf);
}

const char *dns_class_str(uint16_t klass, char buf[16]) {
  return lookup(classes, N(classes), klass, "CLASS", buf);
}

const char *dns_opcode_str(uint8_t opcode, char buf[16]) {
  return lookup(opcodes, N(opcodes), opcode, "OpCode", buf);
}

const char *dns_rcode_str(uint8_t rcode, char buf[16]) {
  return lookup(rcodes, N(rcodes), rcode, "RCode", buf);
}

const char *dns_option_str(uint16_t code, char buf[16]) {
  return lookup(options, N(options), code, "OPT", buf);
}
