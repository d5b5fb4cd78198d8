"""One-off check: the backward stepper widget steps in a real JupyterLab with a live kernel.

Not part of the test suite (needs Chromium: Debian's `chromium`). Starts JupyterLab on a free port with a fresh
data folder, opens a one-cell notebook in headless Chromium, runs the cell through the Chrome DevTools protocol
(websocket-client), clicks Next twice and Prev once, checks the frame title after each click and writes
screenshots live_0.png .. live_2.png into OUT_DIR:

    .venv/bin/python scripts/check_stepper_live.py .venv OUT_DIR [CODE [MODE]]

With a fourth argument it instead waits for an image in the output and writes check.png (used to picture
check()'s wrong-node graph: CODE defines a Value with a planted mistake and calls check("03.3"); set
MINITORCH_GRADED_TESTS to the tests/graded folder).
"""
import base64, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path
import nbformat
import websocket

VENV = Path(sys.argv[1])
OUT = Path(sys.argv[2])
OUT.mkdir(parents=True, exist_ok=True)
CODE = sys.argv[3] if len(sys.argv) > 3 else """import minitorch
V = minitorch.Value
a, b, c, f = V(2.0, label="a"), V(-3.0, label="b"), V(10.0, label="c"), V(-2.0, label="f")
e = a * b; e.label = "e"
d = e + c; d.label = "d"
L = d * f; L.label = "L"
minitorch.viz.step_through_backward(L)"""

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

def wait_url(url, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            return urllib.request.urlopen(url, timeout=2).read()
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)

tmp = Path(tempfile.mkdtemp())
root = tmp / "root"; root.mkdir()
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell(CODE)]
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbformat.write(nb, root / "stepper.ipynb")
env = {k: v for k, v in os.environ.items() if k != "MINITORCH_STATIC_WIDGETS"}
env.update(JUPYTER_DATA_DIR=str(tmp / "data"), MINITORCH_DOT="graphviz-pure")
port, dport = free_port(), free_port()
server = subprocess.Popen([str(VENV / "bin/jupyter"), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                           "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
                           "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=", "--allow-root"],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
chrome = None
try:
    wait_url(f"http://127.0.0.1:{port}/api")
    chrome = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                               f"--user-data-dir={tmp / 'chromium'}", "--window-size=1200,1400", "--hide-scrollbars",
                               f"--remote-debugging-port={dport}", "about:blank"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    targets = json.loads(wait_url(f"http://127.0.0.1:{dport}/json"))
    page = next(t for t in targets if t["type"] == "page")
    ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
    counter = [0]

    def cdp(method, **params):
        counter[0] += 1
        ws.send(json.dumps({"id": counter[0], "method": method, "params": params}))
        while True:
            msg = json.loads(ws.recv())
            if msg.get("id") == counter[0]:
                return msg.get("result", msg)

    def js(expr):
        r = cdp("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")

    def wait_js(expr, seconds=90):
        end = time.time() + seconds
        while time.time() < end:
            v = js(expr)
            if v:
                return v
            time.sleep(0.5)
        raise TimeoutError(expr)

    def shot(name):
        data = cdp("Page.captureScreenshot", format="png")["data"]
        (OUT / name).write_bytes(base64.b64decode(data)); print("wrote", OUT / name)

    cdp("Page.enable")
    cdp("Page.navigate", url=f"http://127.0.0.1:{port}/lab/tree/stepper.ipynb")
    wait_js("!!document.querySelector('.jp-Notebook .jp-Cell .cm-content')")
    time.sleep(3)
    js("(() => { const b = [...document.querySelectorAll('.jp-Dialog button')].find(b => b.textContent.trim() === 'Select');"
       " if (b) b.click(); return !!b; })()")
    wait_js("(document.querySelector('.jp-Notebook-ExecutionIndicator') || {}).getAttribute && "
            "document.querySelector('.jp-Notebook-ExecutionIndicator').getAttribute('data-status') === 'idle'", 120)
    # Run the cell: focus its editor, Shift+Enter.
    js("document.querySelector('.jp-Notebook .jp-Cell .cm-content').focus()")
    for kind in ("rawKeyDown", "keyUp"):
        cdp("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13, modifiers=8)
    title = ("(() => { const t = [...document.querySelectorAll('.jp-OutputArea svg text')].map(x => x.textContent)"
             ".find(s => s.startsWith('step ')); return t || ''; })()")
    if len(sys.argv) > 4:  # another mode: wait for an SVG text containing argv[4], screenshot, stop
        print("shown:", wait_js("document.querySelectorAll('.jp-OutputArea img').length", 120))
        print("text:", js("document.querySelector('.jp-OutputArea').innerText")[:1500])
        js("document.querySelector('.jp-OutputArea img').scrollIntoView({block: 'end'})")
        time.sleep(1)
        shot("check.png")
        raise SystemExit(0)
    try:
        print("frame shown:", wait_js(title, 60))
    except TimeoutError:
        shot("debug.png")
        print("outputs:", js("[...document.querySelectorAll('.jp-OutputArea')].map(x => x.innerText).join('|')"))
        print("status:", js("document.querySelector('.jp-Notebook-ExecutionIndicator').getAttribute('data-status')"))
        print("prompt:", js("document.querySelector('.jp-InputPrompt').innerText"))
        raise
    shot("live_0.png")
    for k in (1, 2):
        js("[...document.querySelectorAll('.jp-OutputArea button')].find(b => b.textContent.includes('Next')).click()")
        want = f"step {k} of"
        print("after Next:", wait_js(f"(() => {{ const t = {title}; return t.startsWith('{want}') ? t : ''; }})()", 30))
        shot(f"live_{k}.png")
    js("[...document.querySelectorAll('.jp-OutputArea button')].find(b => b.textContent.includes('Prev')).click()")
    print("after Prev:", wait_js(f"(() => {{ const t = {title}; return t.startsWith('step 1 of') ? t : ''; }})()", 30))
    print("widget count:", js("document.querySelectorAll('.jp-OutputArea .widget-slider, .jp-OutputArea .widget-play').length"))
    ws.close()
finally:
    if chrome:
        chrome.terminate(); chrome.wait(timeout=30)
    server.terminate(); server.wait(timeout=30)
    shutil.rmtree(tmp, ignore_errors=True)
