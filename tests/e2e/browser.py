"""A person's browser session against the live NetBox, and the few gestures NetBox's forms need."""
import re

from playwright.sync_api import expect

PASSWORD = 'Decommission-e2e-1'
# Assertions wait as long as actions do: pages come from a live server on a machine shared with other work.
expect.set_options(timeout=15_000)

VIEWPORT = {'width': 1280, 'height': 800}


class Session:
    """One person's browser session: their own context (cookies), logged in through NetBox's login form."""

    def __init__(self, browser, base_url, artifacts, username):
        self.username = username
        self.artifacts = artifacts
        self.context = browser.new_context(viewport=VIEWPORT, base_url=base_url)
        # Long enough for a slow shared machine, short enough that a missing button fails soon.
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.page.goto('/login/')
        self.page.get_by_label('Username').fill(username)
        self.page.get_by_label('Password').fill(PASSWORD)
        self.page.get_by_role('button', name='Sign In').click()
        self.page.wait_for_url(re.compile(r'^(?!.*/login/)'))

    def open(self, path):
        response = self.page.goto(path)
        self.page.wait_for_load_state('networkidle')
        return response

    def screenshot(self, name):
        """
        The whole page. NetBox's sidebar and header are fixed, so Playwright's full_page stitching would paint them
        halfway down a long page: the viewport is stretched to the page's height for the shot instead.
        """
        page = self.page
        page.wait_for_load_state('networkidle')
        height = page.evaluate('document.documentElement.scrollHeight')
        page.set_viewport_size({'width': VIEWPORT['width'], 'height': max(height, VIEWPORT['height'])})
        page.screenshot(path=self.artifacts / f'{name}.png')
        page.set_viewport_size(VIEWPORT)

    def click(self, role, name, **kwargs):
        self.page.get_by_role(role, name=name, **kwargs).click()
        self.page.wait_for_load_state('networkidle')

    def choose(self, field, text):
        """
        Pick the option containing `text` in a NetBox select (TomSelect) with the keyboard: open its list, walk it
        with the arrow keys to the option, press Enter, then leave the field. Typing to filter would make a select
        fed by the REST API search again a moment later, and the late answer would open its list again over the
        fields below; the pointer is ignored by TomSelect for a while after a key.
        """
        control = self.page.locator(f'#id_{field}-ts-control')
        dropdown = self.page.locator(f'#id_{field}-ts-dropdown')
        # TomSelect closes its list on blur only while the document has the focus, which among several people's
        # pages only the one in front has.
        self.page.bring_to_front()
        # The control's box opens the list (a select without search keeps its input out of sight).
        control.locator('..').click()
        self.page.mouse.move(0, 0)
        expect(dropdown.locator('.option', has_text=text).first).to_be_visible()
        active = dropdown.locator('.option.active')
        for _option in range(dropdown.locator('.option').count()):
            if text in active.inner_text():
                break
            control.press('ArrowDown')
        expect(active).to_contain_text(text)
        control.press('Enter')
        control.press('Escape')
        # Not Tab: the next field may be a date picker, whose calendar would open over the form.
        control.evaluate('input => input.blur()')
        expect(dropdown).to_be_hidden()
        expect(self.page.locator(f'#id_{field} option:checked', has_text=text).first).to_be_attached()

    def fill_date(self, field, value):
        """A NetBox date or date-time picker (flatpickr), typed in; Escape closes its calendar."""
        box = self.page.locator(f'#id_{field}')
        box.fill(value)
        # flatpickr reads typed input when the box loses focus.
        box.press('Tab')
        self.page.keyboard.press('Escape')
        expect(box).to_have_value(value)

    def expect_message(self, text):
        """The toast NetBox shows after a redirect (Django messages)."""
        expect(self.page.locator('.toast', has_text=text).first).to_be_attached()

    def expect_stage(self, label):
        """The stage badge of the decommission's page or of a move's form."""
        expect(self.page.locator('.badge', has_text=re.compile(rf'^\s*{re.escape(label)}\s*$')).first).to_be_visible()

    def move(self, name):
        """Click one of the workflow's move buttons (data-workflow-move), as the "What's next" panel shows them."""
        self.page.locator(f'[data-workflow-move="{name}"]').first.click()
        self.page.wait_for_load_state('networkidle')

    def submit(self, name):
        self.page.get_by_role('button', name=name, exact=True).click()
        self.page.wait_for_load_state('networkidle')

    def close(self):
        self.context.close()
