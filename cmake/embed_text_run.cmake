# cmake -DIN=file -DOUT=header -DNAME=identifier -P embed_text_run.cmake
file(READ ${IN} text)
string(FIND "${text}" ")sg_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )sg_embed\"")
endif()
file(WRITE ${OUT}.tmp "// Generated from ${IN} by cmake/embed_text_run.cmake; do not edit.\n#pragma once\n\ninline constexpr const char ${NAME}[] = R\"sg_embed(${text})sg_embed\";\n")
file(RENAME ${OUT}.tmp ${OUT})
