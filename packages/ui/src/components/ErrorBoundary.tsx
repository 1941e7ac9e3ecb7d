import { Component, type ReactNode } from "react";
import { ErrorView } from "./ErrorView.tsx";

interface Props {
  children: ReactNode;
  /** A change of it (another URL) clears the error shown: the page is tried again. */
  resetKey?: string;
}

/** Shows a page's render error (or a chunk that failed to load) instead of a blank screen. */
export class ErrorBoundary extends Component<Props, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidUpdate(previous: Props) {
    if (this.state.error && previous.resetKey !== this.props.resetKey) this.setState({ error: undefined });
  }

  override render() {
    if (this.state.error)
      return <ErrorView error={this.state.error} onRetry={() => this.setState({ error: undefined })} />;
    return this.props.children;
  }
}
