"""A Lambda custom runtime in the Python 3 standard library, for tests/targets/functions_test.cc
and tests/bench/function_bench.cc.

It talks the Runtime API at AWS_LAMBDA_RUNTIME_API over one kept-alive connection. _HANDLER
(or, when empty, the BEHAVIOUR environment variable) picks what an invocation does; the event
(a JSON object) gives the parameters:
  echo       answer {"pid", "event", "env" (the Lambda variables), "arn", "deadline_ms"}
  noop       answer null
  error      post /error {"errorMessage": "it failed", "errorType": "MyError", "stackTrace": []}
  sleep      sleep event["seconds"]; with event["record_dir"], write "<start> <end> <pid>"
             (time.monotonic()) to <record_dir>/<request id>; answer {"pid"}
  allocate   hold event["mb"] MB for event["hold"] seconds (default 1), then answer {"pid"}
  exit       print a line and exit with status event["code"] (default 3) mid-invocation
  badid      post a response for an unknown request id and GET an unknown path, then answer
             {"status": <the post's status>, "body": <its body>, "missing": <the GET's status>}
  initerror  post /init/error during init (errorType MyInitError) and exit
"""
import http.client
import json
import os
import sys
import time

host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
conn = http.client.HTTPConnection(host, int(port))
API = "/2018-06-01/runtime"
ENV_KEYS = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_DEFAULT_REGION", "LAMBDA_TASK_ROOT",
            "_HANDLER", "TZ", "GREETING"]


def call(method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response, response.read()


def post(path, document, headers=None):
    return call("POST", API + path, json.dumps(document).encode(), headers)


handler = os.environ.get("_HANDLER") or os.environ.get("BEHAVIOUR", "echo")
print(f"init: handler {handler} pid {os.getpid()}", flush=True)
if handler == "initerror":
    post("/init/error", {"errorMessage": "cannot load the handler", "errorType": "MyInitError"},
         {"Lambda-Runtime-Function-Error-Type": "MyInitError"})
    sys.exit(1)

while True:
    response, body = call("GET", API + "/invocation/next")
    if response.status != 200:
        sys.exit(0)
    request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
    event = json.loads(body) if body else None
    params = event if isinstance(event, dict) else {}
    if handler == "noop":
        post(f"/invocation/{request_id}/response", None)
        continue
    print(f"handling {request_id}", flush=True)
    answer = {"pid": os.getpid()}
    if handler == "echo":
        answer.update(event=event, env={k: os.environ.get(k) for k in ENV_KEYS},
                      arn=response.getheader("Lambda-Runtime-Invoked-Function-Arn"),
                      deadline_ms=int(response.getheader("Lambda-Runtime-Deadline-Ms")),
                      trace=response.getheader("Lambda-Runtime-Trace-Id"))
    elif handler == "error":
        post(f"/invocation/{request_id}/error",
             {"errorMessage": "it failed", "errorType": "MyError", "stackTrace": []},
             {"Lambda-Runtime-Function-Error-Type": "MyError"})
        continue
    elif handler == "sleep":
        start = time.monotonic()
        time.sleep(float(params.get("seconds", 1)))
        if "record_dir" in params:
            with open(os.path.join(params["record_dir"], request_id), "w") as f:
                f.write(f"{start} {time.monotonic()} {os.getpid()}\n")
    elif handler == "allocate":
        blob = b"\x01" * (int(params.get("mb", 1)) << 20)
        time.sleep(float(params.get("hold", 1)))
        answer["bytes"] = len(blob)
        del blob
    elif handler == "exit":
        print("about to exit", flush=True)
        os._exit(int(params.get("code", 3)))
    elif handler == "badid":
        bad, bad_body = call("POST", API + "/invocation/no-such-id/response", b"{}")
        missing, _ = call("GET", "/2018-06-01/runtime/nothing-here")
        answer.update(status=bad.status, body=json.loads(bad_body), missing=missing.status)
    post(f"/invocation/{request_id}/response", answer)
