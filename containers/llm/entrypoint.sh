#!/bin/sh
# Starts Ollama, pulls the model when it is not there yet (first start), then runs the queue worker.
# If either process exits, the container exits, and ECS replaces the task.
# OLLAMA_MODEL and OLLAMA_HOST come from the image (Dockerfile ENV) or the task definition (lib/llm-service.ts).
set -eu
ollama serve &
OLLAMA_PID=$!
i=0
until curl -sf "$OLLAMA_HOST/api/version" >/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 120 ]; then echo '{"level":"error","message":"ollama did not start within 120 s"}'; exit 1; fi
  if ! kill -0 "$OLLAMA_PID" 2>/dev/null; then echo '{"level":"error","message":"ollama exited at start"}'; exit 1; fi
  sleep 1
done
if ! ollama show "$OLLAMA_MODEL" >/dev/null 2>&1; then
  echo "{\"level\":\"info\",\"message\":\"pulling model $OLLAMA_MODEL (first start)\"}"
  ollama pull "$OLLAMA_MODEL"
fi
node --import tsx functions/handlers/llm-worker.ts &
WORKER_PID=$!
trap 'kill -TERM "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID"; kill -TERM "$OLLAMA_PID" 2>/dev/null' TERM INT
# Whichever stops first ends the container.
while kill -0 "$OLLAMA_PID" 2>/dev/null && kill -0 "$WORKER_PID" 2>/dev/null; do sleep 2; done
kill -TERM "$WORKER_PID" "$OLLAMA_PID" 2>/dev/null || true
wait
