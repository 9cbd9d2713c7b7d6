"""The "Om metoden" page: open to anyone, crediting the method's source, linked from every page's footer."""

from django.urls import reverse
from django.utils import translation


def test_the_method_page_credits_its_source_and_explains_the_steps(client, db):
    response = client.get(reverse("mapping:method"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "NGO Arbejdsmiljø" in html and 'href="https://ngoarbejdsmiljø.dk"' in html
    for step in ["Overblik og formål.", "Forbind.", "Involvér og følg op.", "Fra kortlægning til handling."]:
        assert step in html
    assert "AMO" in html


def test_every_page_links_to_the_method_in_its_footer(client, db):
    html = client.get(reverse("login")).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'href="{reverse("mapping:method")}"' in footer and "Om metoden" in footer


def test_the_method_page_speaks_english_when_asked(client, db, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("da"):  # the request switches this thread to English: switch it back after
        html = client.get(reverse("mapping:method")).content.decode()
    assert "About the method" in html and "NGO Arbejdsmiljø" in html
