/** The sign-in page, shown when the API answers 401 (basic auth is on). */
import { useState, type FormEvent } from "react";
import { api, ApiError, auth } from "../api/client.ts";
import { connection } from "../api/connection.ts";
import { navigate, useLocation } from "../router.tsx";

export function SignIn() {
  const location = useLocation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    auth.signIn(username, password, remember);
    try {
      await api.get("/configs");
      connection.signedIn();
      if (location.path === "/login") navigate(location.query.get("next") ?? "/dashboard", { replace: true });
    } catch (e) {
      auth.signOut();
      setError(e instanceof ApiError && e.status === 401 ? "Wrong username or password" : (e as Error).message);
    }
  };
  return (
    <div className="signin">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>Sign in to Saker</h1>
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <label className="inline">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} /> Stay signed in on
          this browser
        </label>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary">
          Sign in
        </button>
      </form>
    </div>
  );
}
