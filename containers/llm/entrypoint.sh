#!/bin/sh
# Starts Ollama, checks the model baked into the image is there (it is never downloaded at start: a scale-up
# from zero must not fetch gigabytes through the NAT gateway), then runs the queue worker.
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
  echo "{\"level\":\"error\",\"message\":\"model $OLLAMA_MODEL is not in the image (built with $(cat /opt/ollama/model.digest 2>/dev/null || echo none)): set OllamaModel to the tag the image was built with\"}"
  exit 1
fi
echo "{\"level\":\"info\",\"message\":\"ollama model ready\",\"model\":\"$(cat /opt/ollama/model.digest)\"}"
node --import tsx functions/handlers/llm-worker.ts &
WORKER_PID=$!
trap 'kill -TERM "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID"; kill -TERM "$OLLAMA_PID" 2>/dev/null' TERM INT
# Whichever stops first ends the container.
while kill -0 "$OLLAMA_PID" 2>/dev/null && kill -0 "$WORKER_PID" 2>/dev/null; do sleep 2; done
kill -TERM "$WORKER_PID" "$OLLAMA_PID" 2>/dev/null || true
wait
