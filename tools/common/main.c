/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main() of a standalone tool. The tool itself is the function TOOL_MAIN (set per executable in
 * meson), which the multi-call `kmod` binary links as well.
 */
#include "tool.h"

int main(int argc, char *argv[])
{
	return TOOL_MAIN(argc, argv);
}
