"""The local LLM: the `Generator` protocol and its llama-cpp-python implementation
(`generator`), GGUF files and loading them once per process (`gguf`), the models a user
can pick and pull (`catalog`), its typed configuration (`config`), and stopping a
generation whose client went away (`stoppable`)."""
