// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The JSON string writer: whatever bytes go in (an operator's quotes and
 * backslashes, control bytes, invalid UTF-8), one valid JSON string comes out,
 * and well-formed UTF-8 passes unchanged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

/* @in (@n bytes) through json_escape(), compared with @want. */
static void expect_escape(const char *in, size_t n, const char *want)
{
	struct strbuf sb;

	sb_init(&sb);
	json_escape(&sb, in, n);
	assert_false(sb.failed);
	assert_string_equal(sb.buf, want);
	sb_free(&sb);
}

#define EXPECT(in, want) expect_escape(in, sizeof(in) - 1, want)

static void test_plain(void **state)
{
	EXPECT("", "");
	EXPECT("sbc1.example.net:10060", "sbc1.example.net:10060");
}

static void test_quotes_and_backslashes(void **state)
{
	EXPECT("a\"b", "a\\\"b");
	EXPECT("C:\\dir\\", "C:\\\\dir\\\\");
	/* An --alert-instance that tries to add a label stays one value. */
	EXPECT("x\",\"severity\":\"none", "x\\\",\\\"severity\\\":\\\"none");
}

static void test_control_bytes(void **state)
{
	EXPECT("a\nb\tc\rd", "a\\u000ab\\u0009c\\u000dd");
	EXPECT("\x01\x1f\x7f", "\\u0001\\u001f\\u007f");
	/* An embedded NUL is a byte like the others. */
	EXPECT("a\0b", "a\\u0000b");
}

static void test_valid_utf8_passes(void **state)
{
	EXPECT("caf\xc3\xa9", "caf\xc3\xa9");		/* U+00E9 */
	EXPECT("\xe2\x82\xac", "\xe2\x82\xac");		/* U+20AC */
	EXPECT("\xed\x9f\xbf", "\xed\x9f\xbf");		/* U+D7FF, below the surrogates */
	EXPECT("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"); /* U+1F600 */
	EXPECT("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"); /* U+10FFFF, the last */
	EXPECT("\xef\xbf\xbd", "\xef\xbf\xbd");		/* U+FFFD itself */
}

static void test_invalid_utf8_replaced(void **state)
{
	EXPECT("a\x80z", "a\\ufffdz");				    /* a lone continuation byte */
	EXPECT("\xff\xfe", "\\ufffd\\ufffd");			    /* never in UTF-8 */
	EXPECT("\xc0\xaf", "\\ufffd\\ufffd");			    /* overlong '/' */
	EXPECT("\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd");	    /* overlong, 3 bytes */
	EXPECT("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd");	    /* a surrogate, U+D800 */
	EXPECT("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"); /* above U+10FFFF */
	EXPECT("\xf5\x80", "\\ufffd\\ufffd");
	EXPECT("ok\xe2\x82", "ok\\ufffd\\ufffd");   /* cut short at the end */
	EXPECT("\xe2\x82\"", "\\ufffd\\ufffd\\\""); /* cut short by a quote */
	EXPECT("\xc3\xa9\xc3", "\xc3\xa9\\ufffd");
}

static void test_json_str_quotes(void **state)
{
	struct strbuf sb;

	sb_init(&sb);
	json_str(&sb, "he said \"hi\"\n");
	assert_string_equal(sb.buf, "\"he said \\\"hi\\\"\\u000a\"");
	sb_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quotes_and_backslashes),
		cmocka_unit_test(test_control_bytes),
		cmocka_unit_test(test_valid_utf8_passes),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_json_str_quotes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
