# embed.cmake — writes a file's bytes as a C array, for the HTML report's
# stylesheet and script (cli/report/), which stay in their own languages in
# the source tree and are compiled into the program.
#   cmake -DIN=file -DOUT=header.h -DNAME=symbol -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR bytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" body "${body}")
file(WRITE "${OUT}" "/* generated from ${IN} by cmake/embed.cmake: edit that file */\n"
  "static const unsigned char ${NAME}[${bytes}] = {\n${body}\n};\n")
