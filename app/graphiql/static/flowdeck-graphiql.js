// Starts GraphiQL against this server's GraphQL endpoint (the page's data-endpoint).
// Queries and mutations go over HTTP; subscriptions over graphql-transport-ws on the
// same path. The headers editor's JSON is sent as HTTP headers and, for subscriptions,
// as the connection_init payload, which is where flowdeck reads {"Authorization": ...}.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var httpUrl = new URL(root.getAttribute("data-endpoint"), window.location.href);
  var wsUrl = new URL(httpUrl.href);
  wsUrl.protocol = httpUrl.protocol === "https:" ? "wss:" : "ws:";

  var fetcher = GraphiQL.createFetcher({
    url: httpUrl.href,
    subscriptionUrl: wsUrl.href,
    // flowdeck answers plain JSON; multipart incremental delivery is not used.
    enableIncrementalDelivery: false,
  });

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: "headers",
      // Keys are secrets: keep them out of localStorage.
      shouldPersistHeaders: false,
      defaultHeaders: '{\n  "Authorization": "Bearer <your API key>"\n}',
      defaultQuery: "# Put your API key in the Headers tab below, then run:\n{\n  me {\n    name\n    role\n  }\n}\n",
    })
  );
})();
