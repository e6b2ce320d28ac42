async def test_health_and_graphql_answer(client):
    response = await client.http.get("/health")
    assert response.json() == {"status": "healthy", "version": "0.1.0"}
