import { Component, type ReactNode } from "react";
import { ErrorView } from "./ErrorView.tsx";

/** Shows a page's render error (or a chunk that failed to load) instead of a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (this.state.error)
      return <ErrorView error={this.state.error} onRetry={() => this.setState({ error: undefined })} />;
    return this.props.children;
  }
}
