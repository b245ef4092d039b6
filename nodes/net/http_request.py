"""HTTP request: calls a web service or downloads from a web address."""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from nodes._shared.values import Text, as_text, to_jsonable
from nodes.net._http_response import response_value
from runtime.api import CachePolicy, Capability, CredentialError, NodeContext, NodeError, NodeType

_AUTH_HEADERS = {"authorization", "proxy-authorization"}


class HttpRequestConfig(BaseModel):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] = Field(
        default="GET", title="Method",
        description="GET reads; POST sends new data; PUT/PATCH change; DELETE removes")
    url: str = Field(default="", title="Web address", description="e.g. https://api.example.com/v1/invoices")
    query: dict[str, str] = Field(default_factory=dict, title="Query parameters",
                                  description="Added to the address as ?name=value",
                                  json_schema_extra={"widget": "key_value"})
    headers: dict[str, str] = Field(default_factory=dict, title="Headers",
                                    json_schema_extra={"widget": "key_value"})
    body_format: Literal["json", "text", "form"] = Field(
        default="json", title="Send the body as",
        description="How the value wired into 'Body' is sent: JSON, plain text, or a web form")
    auth: Literal["none", "bearer", "basic", "header"] = Field(
        default="none", title="Sign in with",
        description="none; bearer: a token; basic: user name and password; header: an API key in a header")
    username: str = Field(default="", title="User name", description="For basic sign-in")
    credential: str = Field(default="", title="Credential",
                            description="The name of a saved credential holding the token, password or API "
                                        "key (the secret itself is kept in the system keyring)",
                            json_schema_extra={"widget": "credential"})
    auth_header: str = Field(default="X-API-Key", title="API key header",
                             description="For 'header' sign-in: the header that carries the key")
    timeout_s: float = Field(default=30.0, gt=0, le=600, title="Time limit (s)")
    follow_redirects: bool = Field(default=True, title="Follow redirects")
    fail_on_http_error: bool = Field(
        default=True, title="Fail on an error status",
        description="Stop with an error when the server answers 400 or above (e.g. 404 Not Found); "
                    "off passes the status on so later nodes can decide")

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        value = value.strip()
        if value:
            _check_url(value)
        return value

    @field_validator("headers")
    @classmethod
    def _no_secrets_in_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name.strip().lower() in _AUTH_HEADERS:
                raise ValueError(f"do not type the '{name}' header here: choose 'Sign in with' and a "
                                 "saved credential, so that the secret stays out of the flow file")
        return value

    @model_validator(mode="after")
    def _auth_complete(self) -> HttpRequestConfig:
        if self.auth != "none" and not self.credential.strip():
            raise ValueError(f"'{self.auth}' sign-in needs the name of a saved credential")
        if self.auth == "basic" and not self.username.strip():
            raise ValueError("basic sign-in needs a user name")
        if self.auth == "header" and not self.auth_header.strip():
            raise ValueError("'header' sign-in needs the name of the header")
        return self


class HttpRequestInputs(BaseModel):
    url: Text | None = Field(default=None, title="Web address",
                             description="Overrides the configured address")
    query: dict[str, Any] | None = Field(default=None, title="Query parameters",
                                         description="Added to (and overriding) the configured ones")
    body: Any = Field(default=None, title="Body", description="The data to send (for POST, PUT, PATCH)")


class HttpRequestOutputs(BaseModel):
    status: int | None = Field(default=None, title="Status", description="e.g. 200 OK, 404 Not Found")
    headers: dict[str, str] | None = Field(default=None, title="Headers")
    body: Any = Field(default=None, title="Body",
                      description="Parsed JSON, text, or a file for downloads such as PDFs and images")


def _check_url(url: str) -> None:
    if not url.lower().startswith(("http://", "https://")) or len(url) <= len("https://"):
        raise ValueError(f"'{url}' is not a web address: it must start with http:// or https://")


class HttpRequest(NodeType):
    type_id = "http.request"
    title = "HTTP request"
    category = "Web"
    description = ("Calls a web service (a REST API) or downloads from a web address, and gives the "
                   "answer's status, headers and content.")
    keywords = ("http", "api", "rest", "web service", "download", "get", "post", "url", "webhook")
    icon = "globe"
    capabilities = frozenset({Capability.NETWORK, Capability.CREDENTIALS})
    cache = CachePolicy.NEVER
    Config = HttpRequestConfig
    Inputs = HttpRequestInputs
    Outputs = HttpRequestOutputs

    async def run(self, ctx: NodeContext, config: HttpRequestConfig,
                  inputs: HttpRequestInputs) -> HttpRequestOutputs:
        import httpx

        raw_url = (inputs.url or "").strip() or config.url
        if not raw_url:
            raise NodeError("Web address: no address given; type one in or connect the 'url' input")
        try:
            _check_url(raw_url)
            params = {**config.query, **{str(k): as_text(v) for k, v in (inputs.query or {}).items()}}
            url = httpx.URL(raw_url).copy_merge_params(params) if params else httpx.URL(raw_url)
        except (ValueError, httpx.InvalidURL) as exc:
            raise NodeError(f"Web address: {exc}") from None
        headers = dict(config.headers)
        auth = self._sign_in(ctx, config, headers)
        content, data = self._body(config, inputs.body, headers)
        shown = str(url)
        try:
            async with httpx.AsyncClient(timeout=config.timeout_s,
                                         follow_redirects=config.follow_redirects) as client:
                response = await client.request(config.method, url, headers=headers, content=content,
                                                data=data, auth=auth)
        except httpx.TimeoutException:
            raise NodeError(f"{config.method} {shown}: no answer within {config.timeout_s:g} s") from None
        except httpx.TooManyRedirects:
            raise NodeError(f"{config.method} {shown}: too many redirects") from None
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise NodeError(f"{config.method} {shown}: could not connect ({reason})") from None
        elapsed_ms = response.elapsed.total_seconds() * 1000
        ctx.log.info("%s %s → %d %s (%.0f ms)", config.method, shown, response.status_code,
                     response.reason_phrase, elapsed_ms)
        if response.is_error and config.fail_on_http_error:
            snippet = " ".join(response.text[:300].split())
            raise NodeError(f"{config.method} {shown} failed: HTTP {response.status_code} "
                            f"{response.reason_phrase}" + (f": {snippet}" if snippet else ""))
        body = None if config.method == "HEAD" else response_value(ctx, response)
        return HttpRequestOutputs(status=response.status_code, headers=dict(response.headers.items()),
                                  body=body)

    @staticmethod
    def _sign_in(ctx: NodeContext, config: HttpRequestConfig, headers: dict[str, str]) -> Any:
        """Put the credential where the chosen sign-in wants it. The runtime redacts the secret
        (registered by `ctx.secret`) and every form derived from it (registered here) from
        errors, logs and history."""
        if config.auth == "none":
            return None
        name = config.credential.strip()
        try:
            secret = ctx.secret(name)
        except CredentialError as exc:
            raise NodeError(f"Credential: {exc}") from None
        ctx.add_secret(secret)  # ctx.secret registers it too; say so here as well
        if config.auth == "bearer":
            headers["Authorization"] = f"Bearer {secret}"
        elif config.auth == "header":
            headers[config.auth_header.strip()] = secret
        else:
            import httpx

            pair = f"{config.username}:{secret}".encode()
            for encoded in (base64.b64encode(pair), base64.urlsafe_b64encode(pair)):
                ctx.add_secret(encoded.decode())
            return httpx.BasicAuth(config.username, secret)
        return None

    @staticmethod
    def _body(config: HttpRequestConfig, body: Any, headers: dict[str, str]) -> tuple[bytes | None, Any]:
        if body is None:
            return None, None
        has_type = any(k.lower() == "content-type" for k in headers)
        if config.body_format == "form":
            if not isinstance(body, dict):
                raise NodeError(f"Body: a form needs a record of names and values, not {type(body).__name__}")
            return None, {str(k): as_text(v) for k, v in body.items()}
        if config.body_format == "text":
            if not has_type:
                headers["Content-Type"] = "text/plain; charset=utf-8"
            return as_text(body).encode("utf-8"), None
        try:
            text = json.dumps(body, ensure_ascii=False, allow_nan=False, default=to_jsonable)
        except (TypeError, ValueError) as exc:
            raise NodeError(f"Body cannot be sent as JSON: {exc}") from None
        if not has_type:
            headers["Content-Type"] = "application/json"
        return text.encode("utf-8"), None
