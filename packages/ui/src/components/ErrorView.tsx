/** What a page shows when its data cannot be had: not found, forbidden, unauthorized, or an API error. */
import { ApiError } from "../api/client.ts";
import { Link } from "../router.tsx";

export function ErrorView({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const status = error instanceof ApiError ? error.status : undefined;
  const title =
    status === 404
      ? "Not found"
      : status === 403
        ? "Forbidden"
        : status === 401
          ? "Sign-in required"
          : status === 0
            ? "The server cannot be reached"
            : "Something went wrong";
  return (
    <div className="error-view" role="alert" data-status={status}>
      <h2>{title}</h2>
      <p>{error.message}</p>
      {error instanceof ApiError && error.path ? (
        <p className="muted">
          at <code>{error.path}</code>
        </p>
      ) : null}
      <p>
        {/* what is not there, or not allowed, will not be by trying again */}
        {onRetry && status !== 404 && status !== 403 ? (
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        ) : null}{" "}
        <Link to="/">Home</Link>
      </p>
    </div>
  );
}

export function NotFoundPage() {
  return <ErrorView error={new ApiError(404, "NOT_FOUND", `No page at ${window.location.pathname}`)} />;
}
