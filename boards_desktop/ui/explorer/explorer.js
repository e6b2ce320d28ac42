// The GraphQL explorer at /graphql: GraphiQL, served from the app's own files (no CDN, no inline script).
// It talks to the same /graphql with the window's session cookie; subscriptions go over its WebSocket.
(function start() {
  const url = `${window.location.origin}/graphql`;
  const fetcher = GraphiQL.createFetcher({
    url,
    subscriptionUrl: url.replace(/^http/, 'ws'),
  });
  const defaultQuery = `# The Boards GraphQL API. Ctrl+Enter runs; Ctrl+Space completes; the book icon opens the docs.
{
  me { id displayName }
  myBoards(limit: 10) { id title generationCount }
}
`;
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {fetcher, defaultQuery, defaultEditorToolsVisibility: true}));
}());
