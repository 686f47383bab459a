# sg_embed_text(TARGET SOURCE HEADER NAME): HEADER (under the build tree,
# included as "HEADER") defines `inline constexpr const char NAME[]` holding
# SOURCE's text as a raw string literal, regenerated when SOURCE changes.
# Used for the Python script that `import alembic` runs (it ships in the binary).
set(SG_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_text_run.cmake)

function(sg_embed_text target source header name)
  set(out ${CMAKE_BINARY_DIR}/generated/${header})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_SOURCE_DIR}/${source} -DOUT=${out} -DNAME=${name}
            -P ${SG_EMBED_SCRIPT}
    DEPENDS ${CMAKE_SOURCE_DIR}/${source} ${SG_EMBED_SCRIPT}
    COMMENT "Embedding ${source}")
  add_custom_target(${target}_embed DEPENDS ${out})
  add_dependencies(${target} ${target}_embed)
  target_include_directories(${target} PUBLIC ${CMAKE_BINARY_DIR}/generated)
endfunction()
