/* api_board.c - the board (dist/board/index.html: one page, its CSS and
 * script inline, no build step) built into the binary, so the page served
 * is always the one of this engine's API. The assembler copies the file in
 * at compile time; the Makefile names it as this object's prerequisite. */
#include "engine/api/api_int.h"

__asm__(".section .rodata\n"
	".global fl_api_board_html\n"
	".type fl_api_board_html, @object\n"
	"fl_api_board_html:\n"
	".incbin \"dist/board/index.html\"\n"
	".global fl_api_board_html_end\n"
	".type fl_api_board_html_end, @object\n"
	"fl_api_board_html_end:\n"
	".byte 0\n"
	".previous\n");
