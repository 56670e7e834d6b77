"""A small client of a class's hub: its REST API, users' servers, the assignment list and
the formgrader's API, all through the hub's proxy as a browser would reach them.

    token = login(url, name, password)          # PAM, as the login form checks it
    hub = HubClient(url, token)
    hub.start_server(name)                      # the user's own server, ready
    hub.assignments(name, course_id)            # nbgrader's assignment list
    hub.formgrader(course_id, "assignment/01_conv1d/collect", method="POST")
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

SERVER_TIMEOUT = 120


class HubError(RuntimeError):
    """The hub or a server answered with an error (status and body in the message)."""

    def __init__(self, status, url, body):
        super().__init__(f"{status} from {url}: {body[:2000]}")
        self.status = status


def _call(url, method="GET", token=None, data=None, timeout=600):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        raise HubError(error.code, url, error.read().decode(errors="replace")) from None
    return json.loads(text) if text.strip() else None


def login(url, name, password, note="classroom"):
    """A new API token of ``name``, obtained with their password (the hub checks it with
    PAM, as its login form does)."""
    answer = _call(f"{url}/hub/api/users/{name}/tokens", "POST",
                   data={"auth": {"username": name, "password": password}, "note": note})
    return answer["token"]


class HubClient:
    """Requests with one user's (or service's) token."""

    def __init__(self, url, token):
        self.url, self.token = url.rstrip("/"), token

    def api(self, path, method="GET", data=None):
        """The hub's REST API: ``api("users")`` is GET /hub/api/users."""
        return _call(f"{self.url}/hub/api/{path}", method, self.token, data)

    def start_server(self, name, timeout=SERVER_TIMEOUT):
        """Start ``name``'s server (if it is not running) and wait until it is ready."""
        try:
            self.api(f"users/{name}/server", "POST")
        except HubError as error:
            if error.status != 400:     # 400: it is already running
                raise
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.api(f"users/{name}").get("servers", {}).get("")
            if server and server.get("ready"):
                return server
            time.sleep(0.5)
        raise TimeoutError(f"{name}'s server was not ready within {timeout} s")

    def stop_server(self, name):
        try:
            self.api(f"users/{name}/server", "DELETE")
        except HubError as error:
            if error.status not in (400, 404):
                raise

    def server(self, name, path, method="GET", data=None, query=None):
        """A request to ``name``'s own server: /user/<name>/<path>."""
        url = f"{self.url}/user/{name}/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        return _call(url, method, self.token, data)

    def contents(self, name, path, model=None):
        """Jupyter's contents API on ``name``'s server: read ``path`` (a notebook as JSON, a
        file as text), or save ``model`` there, as the notebook editor does."""
        path = urllib.parse.quote(str(path).removeprefix("./"))
        if model is not None:
            return self.server(name, f"api/contents/{path}", "PUT", data=model)
        return self.server(name, f"api/contents/{path}", query={"content": "1"})

    def assignments(self, name, course_id):
        """nbgrader's assignment list as ``name`` sees it (released, fetched, submitted)."""
        return self.server(name, "assignments", query={"course_id": course_id})

    def assignment_action(self, name, action, course_id, assignment):
        """fetch, submit or fetch_feedback, as the Assignment List's buttons do."""
        return self.server(name, f"assignments/{action}", "POST",
                           data={"course_id": course_id, "assignment_id": assignment})

    def formgrader(self, course_id, path, method="GET", data=None):
        """The formgrader's API of a course: /services/<course>/formgrader/api/<path>."""
        return _call(f"{self.url}/services/{course_id}/formgrader/api/{path}", method,
                     self.token, data)
